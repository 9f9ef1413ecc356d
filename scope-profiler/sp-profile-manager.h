/* sp-profile-manager.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(SCOPE_PROFILER_INSIDE) && !defined(SCOPE_PROFILER_COMPILATION)
# error "Only <scope-profiler.h> can be included directly."
#endif

#include <gio/gio.h>

#include "sp-config.h"
#include "sp-region.h"
#include "sp-version-macros.h"

G_BEGIN_DECLS

#define SP_TYPE_PROFILE_MANAGER (sp_profile_manager_get_type())

SP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpProfileManager, sp_profile_manager, SP, PROFILE_MANAGER, GObject)

SP_AVAILABLE_IN_ALL
SpProfileManager *sp_profile_manager_get_default      (void);
SP_AVAILABLE_IN_ALL
SpProfileManager *sp_profile_manager_new              (void) G_GNUC_WARN_UNUSED_RESULT;
SP_AVAILABLE_IN_ALL
void              sp_profile_manager_setup            (SpProfileManager  *self,
                                                       SpConfig          *config);
SP_AVAILABLE_IN_ALL
SpConfig         *sp_profile_manager_get_config       (SpProfileManager  *self);
SP_AVAILABLE_IN_ALL
SpRegion         *sp_profile_manager_profile_region   (SpProfileManager  *self,
                                                       const char        *name);
SP_AVAILABLE_IN_ALL
SpRegion         *sp_profile_manager_get_region       (SpProfileManager  *self,
                                                       const char        *name);
SP_AVAILABLE_IN_ALL
GHashTable       *sp_profile_manager_get_all_regions  (SpProfileManager  *self);
SP_AVAILABLE_IN_ALL
GListModel       *sp_profile_manager_get_regions      (SpProfileManager  *self);
SP_AVAILABLE_IN_ALL
gint64            sp_profile_manager_get_start_time   (SpProfileManager  *self);
SP_AVAILABLE_IN_ALL
void              sp_profile_manager_set_metadata     (SpProfileManager  *self,
                                                       const char        *key,
                                                       const char        *value);
SP_AVAILABLE_IN_ALL
char             *sp_profile_manager_get_summary      (SpProfileManager  *self);
SP_AVAILABLE_IN_ALL
void              sp_profile_manager_print_summary    (SpProfileManager  *self);
SP_AVAILABLE_IN_ALL
gboolean          sp_profile_manager_finalize         (SpProfileManager  *self,
                                                       GError           **error);
SP_AVAILABLE_IN_ALL
gboolean          sp_profile_manager_finalize_to_path (SpProfileManager  *self,
                                                       const char        *path,
                                                       GError           **error);
SP_AVAILABLE_IN_ALL
char             *sp_profile_manager_get_spill_path   (SpProfileManager  *self);
SP_AVAILABLE_IN_ALL
gboolean          sp_profile_manager_recover          (const char        *spill_path,
                                                       const char        *output_path,
                                                       GError           **error);
SP_AVAILABLE_IN_ALL
gint64            sp_get_current_time                 (void);
SP_AVAILABLE_IN_0_2
gint64            sp_new_track                        (const char        *name);
SP_AVAILABLE_IN_0_2
void              sp_set_thread_name                  (const char        *name);
SP_AVAILABLE_IN_0_2
void              sp_end_thread                       (void);

G_END_DECLS
