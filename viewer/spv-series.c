/* spv-series.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spv-region-item.h"
#include "spv-series.h"
#include "spv-util.h"

/* The marks of the charts (min, max, mean, p90) are the library's
 * statistics of the same calls, so that they are the table's numbers. */
static void
series_set_stats (SpvSeries     *series,
                  SpRegionStats *stats)
{
  series->stats = sp_region_stats_ref (stats);
  series->min = (double) sp_region_stats_get_min (stats);
  series->max = (double) sp_region_stats_get_max (stats);
  series->mean = sp_region_stats_get_mean (stats);
  series->p90 = sp_region_stats_get_p90 (stats);
}

static SpvSeries *
series_new (const char   *name,
            const double *durations,
            gsize         n)
{
  SpvSeries *series = g_atomic_rc_box_new0 (SpvSeries);

  series->name = g_strdup (name);
  series->region = G_MAXUINT;
  series->durations = g_memdup2 (durations, MAX (n, 1) * sizeof (double));
  series->n = n;
  spv_region_color (name, &series->color);

  return series;
}

/* A series of durations that are not a session's (whole nanoseconds). */
SpvSeries *
spv_series_new (const char   *name,
                const double *durations,
                gsize         n)
{
  SpvSeries *series = series_new (name, durations, n);
  g_autofree gint64 *starts = g_new0 (gint64, MAX (n, 1));
  g_autofree gint64 *ends = g_new (gint64, MAX (n, 1));
  g_autoptr(SpRegionStats) stats = NULL;

  for (gsize i = 0; i < n; i++)
    ends[i] = (gint64) llround (durations[i]);
  stats = sp_region_stats_new_for_intervals (starts, ends, n);
  series_set_stats (series, stats);

  return series;
}

typedef struct
{
  gint64 start;
  double duration;
} Call;

static int
compare_calls (const void *a,
               const void *b)
{
  const Call *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

/* Gathers the calls of @region on @rank (or SPV_ALL_RANKS) from every
 * thread and orders them by start time. */
SpvSeries *
spv_series_new_for_region (SpSession *session,
                           guint      region,
                           guint      rank)
{
  g_autoptr(GArray) calls = g_array_new (FALSE, FALSE, sizeof (Call));
  g_autofree double *durations = NULL;
  const guint *ranks;
  guint n_ranks;

  ranks = sp_session_get_ranks (session, &n_ranks);

  for (guint r = 0; r < n_ranks; r++)
    {
      const gint64 *threads;
      guint n_threads = 0;

      if (rank != SPV_ALL_RANKS && ranks[r] != rank)
        continue;

      threads = sp_session_get_threads (session, ranks[r], &n_threads);
      for (guint t = 0; t < n_threads; t++)
        {
          const gint64 *starts, *ends;
          gsize n = 0;

          if (!sp_session_peek_intervals (session, region, ranks[r], threads[t], &starts, &ends, &n))
            continue;
          for (gsize i = 0; i < n; i++)
            {
              Call c = { starts[i], (double) (ends[i] - starts[i]) };
              g_array_append_val (calls, c);
            }
        }
    }

  qsort (calls->data, calls->len, sizeof (Call), compare_calls);
  durations = g_new (double, MAX (calls->len, 1));
  for (guint i = 0; i < calls->len; i++)
    durations[i] = g_array_index (calls, Call, i).duration;

  {
    SpvSeries *series = series_new (sp_session_get_region_name (session, region),
                                    durations, calls->len);
    g_autoptr(SpRegionStats) stats = NULL;

    if (rank == SPV_ALL_RANKS)
      stats = sp_session_get_region_stats (session, region);
    else
      stats = sp_session_get_region_stats_for_rank (session, region, rank);
    if (stats == NULL)
      stats = sp_region_stats_new_for_intervals (NULL, NULL, 0);
    series->region = region;
    series->color = spv_session_region_colors (session)[region];
    series_set_stats (series, stats);
    return series;
  }
}

SpvSeries *
spv_series_ref (SpvSeries *series)
{
  return g_atomic_rc_box_acquire (series);
}

static void
series_clear (gpointer data)
{
  SpvSeries *series = data;

  g_free (series->name);
  g_free (series->durations);
  g_clear_pointer (&series->stats, sp_region_stats_unref);
}

void
spv_series_unref (SpvSeries *series)
{
  g_atomic_rc_box_release_full (series, series_clear);
}

/* Where @value falls between @lo and @hi, from 0 to 1, on a linear or
 * logarithmic axis. Durations of 0 sit at the bottom of a log axis. */
double
spv_axis_fraction (double   value,
                   double   lo,
                   double   hi,
                   gboolean log_scale)
{
  if (log_scale)
    {
      double l = log10 (MAX (lo, 1.0)), h = log10 (MAX (hi, 1.0));

      if (h <= l)
        return 0.5;
      return (log10 (MAX (value, 1.0)) - l) / (h - l);
    }

  if (hi <= lo)
    return 0.5;
  return (value - lo) / (hi - lo);
}

double
spv_axis_value (double   fraction,
                double   lo,
                double   hi,
                gboolean log_scale)
{
  if (log_scale)
    {
      double l = log10 (MAX (lo, 1.0)), h = log10 (MAX (hi, 1.0));
      return pow (10, l + fraction * (h - l));
    }
  return lo + fraction * (hi - lo);
}

/* Widens [@lo, @hi] when it is a single value (one call, or calls all as
 * long), so the axis shows distinct ticks around it rather than the same
 * label five times and a bar squeezed against one edge. On a log axis the
 * range is kept at 1 ns or above, where spv_axis_fraction() works. */
void
spv_axis_fit (double   *lo,
              double   *hi,
              gboolean  log_scale)
{
  if (log_scale)
    {
      double l = MAX (*lo, 1.0), h = MAX (*hi, 1.0);

      if (h <= l)
        {
          /* a 1 ns call (or 0 ns ones) sit at the bottom; others in the middle */
          h = l * 4;
          l = MAX (l / 4, 1.0);
        }
      *lo = l;
      *hi = h;
      return;
    }

  if (*hi <= *lo)
    {
      double half = fabs (*lo) / 2;

      if (half == 0)
        *hi = *lo + 1;
      else
        {
          *hi = *lo + half;
          *lo -= half;
        }
    }
}

/* Where the bars of a logarithmic duration axis start: the power of ten
 * below @min, so that the shortest call has a height and bars compare as
 * the durations do (a 1 % spread is not drawn as 10×). Never below 1 ns,
 * the bottom of spv_axis_fraction(). */
double
spv_axis_log_baseline (double min)
{
  double decade;

  if (!(min > 1))
    return 1;

  decade = pow (10, floor (log10 (min)));
  /* strictly below the minimum, also when it is a power of ten */
  if (decade >= min)
    decade /= 10;
  return MAX (decade, 1);
}

/* Counts the durations of @series in @n_bins equal bins of [@lo, @hi] on
 * the chosen axis; values outside go to the first or last bin. */
void
spv_histogram_bin (const SpvSeries *series,
                   double           lo,
                   double           hi,
                   gboolean         log_scale,
                   guint           *counts,
                   guint            n_bins)
{
  memset (counts, 0, n_bins * sizeof (guint));

  for (gsize i = 0; i < series->n; i++)
    {
      double f = spv_axis_fraction (series->durations[i], lo, hi, log_scale);
      gint64 bin = (gint64) floor (f * n_bins);

      counts[CLAMP (bin, 0, (gint64) n_bins - 1)]++;
    }
}

/* Small helper for chart labels; @align 0 puts @x at the left of the text,
 * 1 at its right. */
void
spv_draw_text (GtkWidget     *widget,
               GtkSnapshot   *snapshot,
               const char    *text,
               double         x,
               double         y,
               double         align,
               const GdkRGBA *color)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();
  int w, h;

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (layout, &w, &h);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x - align * w, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  g_object_unref (layout);
}

void
spv_widget_get_fg (GtkWidget *widget,
                   GdkRGBA   *color)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
G_GNUC_END_IGNORE_DEPRECATIONS
}

/* Names of the series, right-aligned at @right, each after a swatch of
 * its colour. */
void
spv_draw_legend (GtkWidget   *widget,
                 GtkSnapshot *snapshot,
                 GPtrArray   *series,
                 double       right,
                 double       y)
{
  GdkRGBA fg;
  double x = right;

  if (series == NULL || series->len < 2)
    return;

  spv_widget_get_fg (widget, &fg);
  for (guint i = series->len; i > 0; i--)
    {
      const SpvSeries *s = g_ptr_array_index (series, i - 1);
      PangoLayout *layout = gtk_widget_create_pango_layout (widget, s->name);
      PangoAttrList *attrs = pango_attr_list_new ();
      int w, h;

      pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
      pango_layout_get_pixel_size (layout, &w, &h);
      x -= w;
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
      x -= 14;
      gtk_snapshot_append_color (snapshot, &s->color, &GRAPHENE_RECT_INIT (x, y + h / 2.0 - 5, 10, 10));
      x -= 10;
      g_object_unref (layout);
    }
}
