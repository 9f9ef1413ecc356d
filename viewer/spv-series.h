/* spv-series.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gtk/gtk.h>
#include <scope-profiler.h>

G_BEGIN_DECLS

/* The durations of one region's calls, in call (start time) order, with
 * the statistics the charts mark: the library's (@stats), copied into
 * @min, @max, @mean and @p90 for drawing. Reference counted, immutable. */
typedef struct
{
  char          *name;
  guint          region;
  GdkRGBA        color;
  double        *durations;
  gsize          n;
  SpRegionStats *stats;
  double         min;
  double         max;
  double         mean;
  double         p90;
} SpvSeries;

SpvSeries *spv_series_new          (const char    *name,
                                    const double  *durations,
                                    gsize          n);
SpvSeries *spv_series_new_for_region (SpSession   *session,
                                    guint          region,
                                    guint          rank);
SpvSeries *spv_series_ref          (SpvSeries     *series);
void       spv_series_unref        (SpvSeries     *series);

double     spv_axis_fraction       (double         value,
                                    double         lo,
                                    double         hi,
                                    gboolean       log_scale);
double     spv_axis_value          (double         fraction,
                                    double         lo,
                                    double         hi,
                                    gboolean       log_scale);
double     spv_axis_log_baseline   (double         min);
void       spv_axis_fit            (double        *lo,
                                    double        *hi,
                                    gboolean       log_scale);
void       spv_histogram_bin       (const SpvSeries *series,
                                    double         lo,
                                    double         hi,
                                    gboolean       log_scale,
                                    guint         *counts,
                                    guint          n_bins);
void       spv_draw_text           (GtkWidget     *widget,
                                    GtkSnapshot   *snapshot,
                                    const char    *text,
                                    double         x,
                                    double         y,
                                    double         align,
                                    const GdkRGBA *color);
void       spv_draw_legend         (GtkWidget     *widget,
                                    GtkSnapshot   *snapshot,
                                    GPtrArray     *series,
                                    double         right,
                                    double         y);
void       spv_widget_get_fg       (GtkWidget     *widget,
                                    GdkRGBA       *color);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpvSeries, spv_series_unref)

G_END_DECLS
