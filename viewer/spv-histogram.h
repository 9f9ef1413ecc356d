/* spv-histogram.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spv-series.h"

G_BEGIN_DECLS

#define SPV_TYPE_HISTOGRAM (spv_histogram_get_type())

G_DECLARE_FINAL_TYPE (SpvHistogram, spv_histogram, SPV, HISTOGRAM, GtkWidget)

GtkWidget *spv_histogram_new           (void);
void       spv_histogram_set_series    (SpvHistogram *self,
                                        GPtrArray    *series);
void       spv_histogram_set_log_scale (SpvHistogram *self,
                                        gboolean      log_scale);

G_END_DECLS
