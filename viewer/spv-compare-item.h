/* spv-compare-item.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gdk/gdk.h>
#include <scope-profiler.h>

G_BEGIN_DECLS

#define SPV_TYPE_COMPARE_ITEM (spv_compare_item_get_type())

G_DECLARE_FINAL_TYPE (SpvCompareItem, spv_compare_item, SPV, COMPARE_ITEM, GObject)

GListStore *spv_compare_item_list_new         (SpSession      *a,
                                               SpSession      *b);
const char *spv_compare_item_get_name         (SpvCompareItem *self);
gint64      spv_compare_item_get_total_a      (SpvCompareItem *self);
gint64      spv_compare_item_get_total_b      (SpvCompareItem *self);
double      spv_compare_item_get_mean_a       (SpvCompareItem *self);
double      spv_compare_item_get_mean_b       (SpvCompareItem *self);
double      spv_compare_item_get_total_ratio  (SpvCompareItem *self);
double      spv_compare_item_get_mean_ratio   (SpvCompareItem *self);
const GdkRGBA *spv_compare_item_get_color    (SpvCompareItem *self);

G_END_DECLS
