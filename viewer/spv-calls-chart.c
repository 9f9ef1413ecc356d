/* spv-calls-chart.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>

#include "spv-calls-chart.h"
#include "spv-util.h"

/* The duration of every call of the selected regions, in call order. When
 * there are more calls than pixels, each pixel column shows the range of
 * the calls it covers; that range is computed once per width. */

#define AXIS_WIDTH 64.0
#define MARGIN     8.0
#define TITLE      20.0

struct _SpvCallsChart
{
  GtkWidget  parent_instance;
  GPtrArray *series;
  gboolean   log_scale;

  /* per series: 2 * columns doubles (min, max), for cache_columns */
  GPtrArray *cache;
  int        cache_columns;
};

G_DEFINE_FINAL_TYPE (SpvCallsChart, spv_calls_chart, GTK_TYPE_WIDGET)

static void
spv_calls_chart_dispose (GObject *object)
{
  SpvCallsChart *self = SPV_CALLS_CHART (object);

  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->cache, g_ptr_array_unref);

  G_OBJECT_CLASS (spv_calls_chart_parent_class)->dispose (object);
}

static void
ensure_cache (SpvCallsChart *self,
              int            columns)
{
  if (self->cache != NULL && self->cache_columns == columns)
    return;

  g_clear_pointer (&self->cache, g_ptr_array_unref);
  self->cache = g_ptr_array_new_with_free_func (g_free);
  self->cache_columns = columns;

  for (guint s = 0; s < self->series->len; s++)
    {
      const SpvSeries *series = g_ptr_array_index (self->series, s);
      double *mm = g_new (double, 2 * columns);

      for (int c = 0; c < columns; c++)
        {
          gsize a = (gsize) ((double) c * series->n / columns);
          gsize b = (gsize) ((double) (c + 1) * series->n / columns);
          double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

          b = MAX (b, a + 1);
          for (gsize i = a; i < b && i < series->n; i++)
            {
              lo = MIN (lo, series->durations[i]);
              hi = MAX (hi, series->durations[i]);
            }
          mm[2 * c] = lo;
          mm[2 * c + 1] = hi;
        }
      g_ptr_array_add (self->cache, mm);
    }
}

static void
spv_calls_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  SpvCallsChart *self = SPV_CALLS_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double pw = width - AXIS_WIDTH - MARGIN;
  double ph = height - TITLE - MARGIN;
  double lo = G_MAXDOUBLE, hi = 0;
  GdkRGBA fg, grid;
  gsize max_n = 0;

  spv_widget_get_fg (widget, &fg);
  grid = fg;
  grid.alpha = 0.12f;

  spv_draw_text (widget, snapshot, "Duration of each call, in call order", AXIS_WIDTH, 2, 0, &fg);

  if (self->series == NULL || self->series->len == 0 || pw < 10 || ph < 10)
    {
      GdkRGBA dim = fg;
      dim.alpha = 0.5f;
      spv_draw_text (widget, snapshot, "Select a region to see its calls", width / 2, height / 2, 0.5, &dim);
      return;
    }

  for (guint s = 0; s < self->series->len; s++)
    {
      const SpvSeries *series = g_ptr_array_index (self->series, s);
      if (series->n == 0)
        continue;
      lo = MIN (lo, series->min);
      hi = MAX (hi, series->max);
      max_n = MAX (max_n, series->n);
    }
  if (max_n == 0)
    return;
  /* bars grow from the axis baseline: 0, or on a log axis the power of
   * ten below the shortest call */
  lo = self->log_scale ? spv_axis_log_baseline (lo) : 0;
  spv_axis_fit (&lo, &hi, self->log_scale);

  /* y axis */
  for (int k = 0; k <= 4; k++)
    {
      double f = k / 4.0;
      double y = TITLE + ph * (1 - f);
      g_autofree char *label = sp_format_duration (spv_axis_value (f, lo, hi, self->log_scale));

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (AXIS_WIDTH, y, pw, 1));
      spv_draw_text (widget, snapshot, label, AXIS_WIDTH - 4, y - 7, 1, &fg);
    }

  ensure_cache (self, (int) pw);
  spv_draw_legend (widget, snapshot, self->series, width - MARGIN, 2);

  for (guint s = 0; s < self->series->len; s++)
    {
      const SpvSeries *series = g_ptr_array_index (self->series, s);
      GdkRGBA color = series->color;
      GdkRGBA line = series->color;

      if (series->n == 0)
        continue;
      if (self->series->len > 1)
        color.alpha = 0.75f;

      if (series->n <= (gsize) pw)
        {
          double bar = pw / (double) series->n;

          for (gsize i = 0; i < series->n; i++)
            {
              double f = spv_axis_fraction (series->durations[i], lo, hi, self->log_scale);
              double y = TITLE + ph * (1 - CLAMP (f, 0, 1));
              double x = AXIS_WIDTH + i * bar;

              gtk_snapshot_append_color (snapshot, &color,
                                         &GRAPHENE_RECT_INIT (x, y, MAX (bar - (bar > 3 ? 1 : 0), 1), MAX (TITLE + ph - y, 1)));
            }
        }
      else
        {
          const double *mm = g_ptr_array_index (self->cache, s);

          for (int c = 0; c < self->cache_columns; c++)
            {
              double f0 = CLAMP (spv_axis_fraction (mm[2 * c], lo, hi, self->log_scale), 0, 1);
              double f1 = CLAMP (spv_axis_fraction (mm[2 * c + 1], lo, hi, self->log_scale), 0, 1);
              double y1 = TITLE + ph * (1 - f1);
              double y0 = TITLE + ph * (1 - f0);

              gtk_snapshot_append_color (snapshot, &color,
                                         &GRAPHENE_RECT_INIT (AXIS_WIDTH + c, y1, 1, MAX (y0 - y1, 1.5)));
            }
        }

      /* mean and p90 as horizontal lines */
      line.alpha = 0.9f;
      {
        double ym = TITLE + ph * (1 - CLAMP (spv_axis_fraction (series->mean, lo, hi, self->log_scale), 0, 1));
        double yp = TITLE + ph * (1 - CLAMP (spv_axis_fraction (series->p90, lo, hi, self->log_scale), 0, 1));

        for (double x = AXIS_WIDTH; x < AXIS_WIDTH + pw; x += 8)
          {
            gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (x, ym, 4, 1));
            gtk_snapshot_append_color (snapshot, &line, &GRAPHENE_RECT_INIT (x + 4, yp, 4, 1));
          }
        if (s == 0)
          {
            spv_draw_text (widget, snapshot, "mean", AXIS_WIDTH + 4, ym - 14, 0, &fg);
            spv_draw_text (widget, snapshot, "p90", AXIS_WIDTH + pw, yp - 14, 1, &fg);
          }
      }
    }
}

static void
spv_calls_chart_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  SPV_CALLS_CHART (widget)->cache_columns = -1;
}

static void
spv_calls_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 100;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 400 : 160;
}

static void
spv_calls_chart_class_init (SpvCallsChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = spv_calls_chart_dispose;
  widget_class->snapshot = spv_calls_chart_snapshot;
  widget_class->measure = spv_calls_chart_measure;
  widget_class->size_allocate = spv_calls_chart_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "callschart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
spv_calls_chart_init (SpvCallsChart *self)
{
  self->cache_columns = -1;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "Duration of each call", -1);
}

GtkWidget *
spv_calls_chart_new (void)
{
  return g_object_new (SPV_TYPE_CALLS_CHART, NULL);
}

/* @series: (element-type SpvSeries) (nullable) */
void
spv_calls_chart_set_series (SpvCallsChart *self,
                            GPtrArray     *series)
{
  g_return_if_fail (SPV_IS_CALLS_CHART (self));

  if (series != NULL)
    g_ptr_array_ref (series);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_clear_pointer (&self->cache, g_ptr_array_unref);
  self->series = series;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
spv_calls_chart_set_log_scale (SpvCallsChart *self,
                               gboolean       log_scale)
{
  g_return_if_fail (SPV_IS_CALLS_CHART (self));

  self->log_scale = !!log_scale;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
