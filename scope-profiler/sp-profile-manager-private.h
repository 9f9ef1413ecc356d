/* sp-profile-manager-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sp-profile-manager.h"
#include "sp-region-private.h"

G_BEGIN_DECLS

SpProfileManager *sp_profile_manager_peek_default (void);
void              sp_profile_manager_lock         (SpProfileManager *self);
void              sp_profile_manager_unlock       (SpProfileManager *self);
void              sp_profile_manager_join         (SpProfileManager *self,
                                                   SpRegion         *region);
void              sp_profile_manager_make_room    (SpProfileManager *self,
                                                   SpRegionRecord   *record);

G_END_DECLS
