/* spv-histogram.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>

#include "spv-histogram.h"
#include "spv-util.h"

/* How the durations of the selected regions are distributed, on a linear
 * or logarithmic time axis, with min, mean and p90 marked. */

#define MARGIN   10.0
#define TITLE    20.0
#define AXIS     20.0
#define MAX_BINS 80

struct _SpvHistogram
{
  GtkWidget  parent_instance;
  GPtrArray *series;
  gboolean   log_scale;
};

G_DEFINE_FINAL_TYPE (SpvHistogram, spv_histogram, GTK_TYPE_WIDGET)

static void
spv_histogram_dispose (GObject *object)
{
  SpvHistogram *self = SPV_HISTOGRAM (object);

  g_clear_pointer (&self->series, g_ptr_array_unref);

  G_OBJECT_CLASS (spv_histogram_parent_class)->dispose (object);
}

static void
draw_marker (GtkWidget     *widget,
             GtkSnapshot   *snapshot,
             double         x,
             double         top,
             double         bottom,
             const char    *label,
             double         label_y,
             const GdkRGBA *color)
{
  for (double y = top; y < bottom; y += 6)
    gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, 1.5, MIN (3, bottom - y)));
  if (*label)
    {
      double align = x > gtk_widget_get_width (widget) * 0.6 ? 1 : 0;
      spv_draw_text (widget, snapshot, label, align ? x - 3 : x + 3, label_y, align, color);
    }
}

static void
spv_histogram_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  SpvHistogram *self = SPV_HISTOGRAM (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double pw = width - 2 * MARGIN;
  double top = TITLE + 40;
  double ph = height - top - AXIS;
  double lo = G_MAXDOUBLE, hi = 0;
  guint n_bins = (guint) CLAMP (pw / 7, 8, MAX_BINS);
  guint counts[MAX_BINS];
  guint max_count = 1;
  GdkRGBA fg, grid;
  gboolean any = FALSE;

  spv_widget_get_fg (widget, &fg);
  grid = fg;
  grid.alpha = 0.15f;

  spv_draw_text (widget, snapshot, self->log_scale ? "Distribution of durations (log scale)"
                                                   : "Distribution of durations",
                 MARGIN, 2, 0, &fg);

  if (self->series == NULL || pw < 20 || ph < 20)
    return;

  for (guint s = 0; s < self->series->len; s++)
    {
      const SpvSeries *series = g_ptr_array_index (self->series, s);

      if (series->n == 0)
        continue;
      any = TRUE;
      lo = MIN (lo, series->min);
      hi = MAX (hi, series->max);
    }
  if (!any)
    return;
  spv_axis_fit (&lo, &hi, self->log_scale);

  for (guint s = 0; s < self->series->len; s++)
    {
      spv_histogram_bin (g_ptr_array_index (self->series, s), lo, hi, self->log_scale, counts, n_bins);
      for (guint b = 0; b < n_bins; b++)
        max_count = MAX (max_count, counts[b]);
    }

  gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (MARGIN, top + ph, pw, 1));
  spv_draw_legend (widget, snapshot, self->series, width - MARGIN, 2);

  for (guint s = 0; s < self->series->len; s++)
    {
      const SpvSeries *series = g_ptr_array_index (self->series, s);
      GdkRGBA color = series->color;
      double bw = pw / n_bins;

      if (self->series->len > 1)
        color.alpha = 0.55f;

      spv_histogram_bin (series, lo, hi, self->log_scale, counts, n_bins);
      for (guint b = 0; b < n_bins; b++)
        {
          double h;

          if (counts[b] == 0)
            continue;
          /* square root of the count, so single outliers stay visible */
          h = MAX (2, ph * sqrt ((double) counts[b] / max_count));
          gtk_snapshot_append_color (snapshot, &color,
                                     &GRAPHENE_RECT_INIT (MARGIN + b * bw, top + ph - h, MAX (bw - 1, 1), h));
        }
    }

  /* min, mean and p90 of each series */
  for (guint s = 0; s < self->series->len; s++)
    {
      const SpvSeries *series = g_ptr_array_index (self->series, s);
      GdkRGBA color = self->series->len > 1 ? series->color : fg;
      double xs[3] = { series->min, series->mean, series->p90 };
      static const char * const names[3] = { "min", "mean", "p90" };

      if (series->n == 0)
        continue;
      color.alpha = 0.9f;
      for (guint k = 0; k < 3; k++)
        {
          double x = MARGIN + pw * CLAMP (spv_axis_fraction (xs[k], lo, hi, self->log_scale), 0, 1);
          g_autofree char *value = sp_format_duration (xs[k]);
          g_autofree char *label = g_strdup_printf ("%s %s", names[k], value);

          x = MIN (x, MARGIN + pw - 2);
          /* one label row per marker, for the first region only */
          draw_marker (widget, snapshot, x, s == 0 ? TITLE + k * 13 + 2 : top, top + ph,
                       s == 0 ? label : "", TITLE + k * 13, &color);
        }
    }

  /* time axis */
  for (int k = 0; k <= 4; k++)
    {
      double f = k / 4.0;
      double x = MARGIN + pw * f;
      g_autofree char *label = sp_format_duration (spv_axis_value (f, lo, hi, self->log_scale));

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (x, top + ph, 1, 4));
      spv_draw_text (widget, snapshot, label, x, top + ph + 4, k == 0 ? 0 : k == 4 ? 1 : 0.5, &fg);
    }
}

static void
spv_histogram_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 110;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 400 : 180;
}

static void
spv_histogram_class_init (SpvHistogramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spv_histogram_dispose;
  widget_class->snapshot = spv_histogram_snapshot;
  widget_class->measure = spv_histogram_measure;

  gtk_widget_class_set_css_name (widget_class, "histogram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
spv_histogram_init (SpvHistogram *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "Distribution of durations", -1);
}

GtkWidget *
spv_histogram_new (void)
{
  return g_object_new (SPV_TYPE_HISTOGRAM, NULL);
}

/* @series: (element-type SpvSeries) (nullable) */
void
spv_histogram_set_series (SpvHistogram *self,
                          GPtrArray    *series)
{
  g_return_if_fail (SPV_IS_HISTOGRAM (self));

  if (series != NULL)
    g_ptr_array_ref (series);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  self->series = series;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
spv_histogram_set_log_scale (SpvHistogram *self,
                             gboolean      log_scale)
{
  g_return_if_fail (SPV_IS_HISTOGRAM (self));

  self->log_scale = !!log_scale;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
