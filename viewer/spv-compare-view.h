/* spv-compare-view.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <adwaita.h>
#include <scope-profiler.h>

G_BEGIN_DECLS

#define SPV_TYPE_COMPARE_VIEW (spv_compare_view_get_type())

G_DECLARE_FINAL_TYPE (SpvCompareView, spv_compare_view, SPV, COMPARE_VIEW, AdwBin)

SpvCompareView *spv_compare_view_new          (void);
void            spv_compare_view_load         (SpvCompareView *self,
                                               GFile          *a,
                                               GFile          *b);
void            spv_compare_view_set_sessions (SpvCompareView *self,
                                               SpSession      *a,
                                               SpSession      *b);
const char     *spv_compare_view_get_title    (SpvCompareView *self);
gboolean        spv_compare_view_get_loading  (SpvCompareView *self);
const char     *spv_compare_view_get_error_message (SpvCompareView *self);
GListModel     *spv_compare_view_get_rows     (SpvCompareView *self);
const char     *spv_compare_view_get_header   (SpvCompareView *self);

int             spv_compare_ratio             (double          a,
                                               double          b);

G_END_DECLS
