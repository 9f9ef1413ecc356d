/* sp-config.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(SCOPE_PROFILER_INSIDE) && !defined(SCOPE_PROFILER_COMPILATION)
# error "Only <scope-profiler.h> can be included directly."
#endif

#include <glib-object.h>

#include "sp-version-macros.h"

G_BEGIN_DECLS

/**
 * SP_CONFIG_DEFAULT_BUFFER_LIMIT:
 *
 * The default number of completed calls a region buffers per thread before
 * they are flushed to the session's spill file.
 *
 * Since: 0.1
 */
#define SP_CONFIG_DEFAULT_BUFFER_LIMIT 100000

/**
 * SP_CONFIG_DEFAULT_FILE_PATH:
 *
 * The default path of the session file written by
 * sp_profile_manager_finalize().
 *
 * Since: 0.1
 */
#define SP_CONFIG_DEFAULT_FILE_PATH "profiling_data.h5"

#define SP_TYPE_CONFIG (sp_config_get_type())

SP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpConfig, sp_config, SP, CONFIG, GObject)

SP_AVAILABLE_IN_ALL
SpConfig   *sp_config_new               (void) G_GNUC_WARN_UNUSED_RESULT;
SP_AVAILABLE_IN_ALL
SpConfig   *sp_config_copy              (SpConfig    *self) G_GNUC_WARN_UNUSED_RESULT;
SP_AVAILABLE_IN_ALL
gboolean    sp_config_get_enabled       (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_enabled       (SpConfig    *self,
                                         gboolean     enabled);
SP_AVAILABLE_IN_ALL
gboolean    sp_config_get_time_trace    (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_time_trace    (SpConfig    *self,
                                         gboolean     time_trace);
SP_AVAILABLE_IN_ALL
gboolean    sp_config_get_flush_to_disk (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_flush_to_disk (SpConfig    *self,
                                         gboolean     flush_to_disk);
SP_AVAILABLE_IN_ALL
guint       sp_config_get_buffer_limit  (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_buffer_limit  (SpConfig    *self,
                                         guint        buffer_limit);
SP_AVAILABLE_IN_ALL
const char *sp_config_get_file_path     (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_file_path     (SpConfig    *self,
                                         const char  *file_path);
SP_AVAILABLE_IN_ALL
int         sp_config_get_rank          (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_rank          (SpConfig    *self,
                                         int          rank);
SP_AVAILABLE_IN_ALL
int         sp_config_get_size          (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_size          (SpConfig    *self,
                                         int          size);
SP_AVAILABLE_IN_ALL
guint       sp_config_get_merge_timeout (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_merge_timeout (SpConfig    *self,
                                         guint        seconds);
SP_AVAILABLE_IN_ALL
gboolean    sp_config_get_verbose       (SpConfig    *self);
SP_AVAILABLE_IN_ALL
void        sp_config_set_verbose       (SpConfig    *self,
                                         gboolean     verbose);

G_END_DECLS
