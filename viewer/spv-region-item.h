/* spv-region-item.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <scope-profiler.h>

G_BEGIN_DECLS

/* All ranks together, for spv_region_item_list_new(). */
#define SPV_ALL_RANKS G_MAXUINT

#define SPV_TYPE_REGION_ITEM (spv_region_item_get_type())

G_DECLARE_FINAL_TYPE (SpvRegionItem, spv_region_item, SPV, REGION_ITEM, GObject)

GListStore *spv_region_item_list_new      (SpAnalysis    *analysis,
                                           guint          rank);
guint       spv_region_item_get_region    (SpvRegionItem *self);
const char *spv_region_item_get_name      (SpvRegionItem *self);
guint64     spv_region_item_get_calls     (SpvRegionItem *self);
gint64      spv_region_item_get_total     (SpvRegionItem *self);
double      spv_region_item_get_mean      (SpvRegionItem *self);
double      spv_region_item_get_percent   (SpvRegionItem *self);
double      spv_region_item_get_imbalance (SpvRegionItem *self);
const GdkRGBA *spv_region_item_get_color  (SpvRegionItem *self);

double      spv_region_item_list_get_max  (GListModel    *items,
                                           const char    *property);
GtkSorter  *spv_region_item_sorter_new    (const char    *property);
char       *spv_region_item_fold          (const char    *text);
gboolean    spv_region_item_name_contains (SpvRegionItem *self,
                                           const char    *folded);

G_END_DECLS
