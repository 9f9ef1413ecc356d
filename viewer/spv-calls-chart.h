/* spv-calls-chart.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "spv-series.h"

G_BEGIN_DECLS

#define SPV_TYPE_CALLS_CHART (spv_calls_chart_get_type())

G_DECLARE_FINAL_TYPE (SpvCallsChart, spv_calls_chart, SPV, CALLS_CHART, GtkWidget)

GtkWidget *spv_calls_chart_new           (void);
void       spv_calls_chart_set_series    (SpvCallsChart *self,
                                          GPtrArray     *series);
void       spv_calls_chart_set_log_scale (SpvCallsChart *self,
                                          gboolean       log_scale);

G_END_DECLS
