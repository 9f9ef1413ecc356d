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

GListStore *spv_compare_item_list_new       (SpAnalysis     *a,
                                             SpAnalysis     *b);
const char *spv_compare_item_get_name       (SpvCompareItem *self);
guint64     spv_compare_item_get_calls_a    (SpvCompareItem *self);
guint64     spv_compare_item_get_calls_b    (SpvCompareItem *self);
double      spv_compare_item_get_figure_a   (SpvCompareItem *self,
                                             SpRankFigure    figure);
double      spv_compare_item_get_figure_b   (SpvCompareItem *self,
                                             SpRankFigure    figure);
double      spv_compare_item_get_change     (SpvCompareItem *self,
                                             SpRankFigure    figure);
const GdkRGBA *spv_compare_item_get_color   (SpvCompareItem *self);

G_END_DECLS
