/* sp-region-stats.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "sp-region-stats-private.h"

/**
 * SpRegionStats:
 *
 * Duration statistics of one region, over a whole session or one rank.
 *
 * All times are in nanoseconds. The standard deviation is the population
 * one (like `numpy.std()` and the Python scope-profiler package); median
 * and percentiles interpolate linearly between the two nearest ranks, like
 * `numpy.percentile()` does by default.
 *
 * The self time is the total minus the time spent in intervals directly
 * nested in this region's intervals on the same rank and thread.
 *
 * An #SpRegionStats is immutable and reference counted.
 *
 * Since: 0.1
 */
struct _SpRegionStats
{
  gatomicrefcount ref_count;
  guint64 count;
  gint64  total;
  gint64  self_time;
  gint64  min;
  gint64  max;
  double  mean;
  double  stddev;
  double  median;
  double  p90;
  double  p99;
};

G_DEFINE_BOXED_TYPE (SpRegionStats, sp_region_stats, sp_region_stats_ref, sp_region_stats_unref)

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *)a;
  gint64 y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

/* Linear interpolation between closest ranks, numpy's default method. */
double
sp_percentile_sorted (const gint64 *sorted,
                       gsize         n,
                       double        percent)
{
  double pos;
  double frac;
  gsize lo;
  double a;
  double b;

  if (n == 0)
    return 0.0;

  pos = percent / 100.0 * (double) (n - 1);
  lo = (gsize) floor (pos);
  if (lo >= n - 1)
    return (double) sorted[n - 1];

  frac = pos - (double) lo;
  a = (double) sorted[lo];
  b = (double) sorted[lo + 1];

  /* Same rounding as numpy's _lerp: approach from the nearer end. */
  if (frac >= 0.5)
    return b - (b - a) * (1.0 - frac);
  return a + (b - a) * frac;
}

static inline void
swap_gint64 (gint64 *a,
             gint64 *b)
{
  gint64 t = *a;

  *a = *b;
  *b = t;
}

/* Rearranges @v so that v[k] is the value a sort would put there, with
 * nothing larger before it and nothing smaller after it. Quickselect with
 * a median-of-three pivot; a range that refuses to shrink (hostile input)
 * is sorted instead, so the worst case stays O(n log n). */
static void
select_nth (gint64 *v,
            gsize   n,
            gsize   k)
{
  gsize lo = 0;
  gsize hi = n - 1;
  guint budget = 2 * g_bit_storage (n) + 8;

  while (hi > lo)
    {
      gsize mid = lo + (hi - lo) / 2;
      gsize i, j;
      gint64 pivot;

      if (budget-- == 0)
        {
          qsort (v + lo, hi - lo + 1, sizeof (gint64), compare_gint64);
          return;
        }

      if (v[mid] < v[lo])
        swap_gint64 (&v[mid], &v[lo]);
      if (v[hi] < v[lo])
        swap_gint64 (&v[hi], &v[lo]);
      if (v[hi] < v[mid])
        swap_gint64 (&v[hi], &v[mid]);
      pivot = v[mid];

      /* Hoare partition: [lo, j] <= pivot <= [j + 1, hi]. */
      i = lo;
      j = hi;
      for (;;)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i >= j)
            break;
          swap_gint64 (&v[i], &v[j]);
          i++;
          j--;
        }

      if (k <= j)
        hi = j;
      else
        lo = j + 1;
    }
}

/* sp_percentile_sorted() without the sort: numpy's linear interpolation
 * needs only the values of rank lo and lo + 1. */
static double
percentile_select (gint64 *v,
                   gsize   n,
                   double  percent,
                   gint64  max)
{
  double pos = percent / 100.0 * (double) (n - 1);
  gsize lo = (gsize) floor (pos);
  double frac;
  double a;
  double b;
  gint64 next = max;

  if (lo >= n - 1)
    return (double) max;

  select_nth (v, n, lo);
  for (gsize i = lo + 1; i < n; i++)
    next = MIN (next, v[i]);

  frac = pos - (double) lo;
  a = (double) v[lo];
  b = (double) next;

  /* Same rounding as numpy's _lerp: approach from the nearer end. */
  if (frac >= 0.5)
    return b - (b - a) * (1.0 - frac);
  return a + (b - a) * frac;
}

SpRegionStats *
sp_region_stats_new_from_durations (gint64 *durations,
                                     gsize   n,
                                     gint64  self_time)
{
  SpRegionStats *self;
  gint64 min = G_MAXINT64;
  gint64 max = G_MININT64;

  self = g_new0 (SpRegionStats, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->self_time = self_time;

  if (n == 0)
    return self;

  self->count = n;

  for (gsize i = 0; i < n; i++)
    {
      min = MIN (min, durations[i]);
      max = MAX (max, durations[i]);

      /* Saturate rather than overflow on absurd files. */
      if (__builtin_add_overflow (self->total, durations[i], &self->total))
        self->total = durations[i] > 0 ? G_MAXINT64 : G_MININT64;
    }
  self->min = min;
  self->max = max;

  /* Two passes over doubles: exact enough for tightly clustered large
   * durations, where a sum of squares would cancel. */
  {
    double sum = 0.0;
    double m2 = 0.0;

    for (gsize i = 0; i < n; i++)
      sum += (double) durations[i];
    self->mean = sum / (double) n;

    for (gsize i = 0; i < n; i++)
      {
        double d = (double) durations[i] - self->mean;
        m2 += d * d;
      }
    self->stddev = sqrt (m2 / (double) n);
  }

  /* Selection, not a sort: O(n) each, and no temporary memory (glibc's
   * qsort allocates a copy of the array, fresh pages on every call). */
  self->median = percentile_select (durations, n, 50.0, max);
  self->p90 = percentile_select (durations, n, 90.0, max);
  self->p99 = percentile_select (durations, n, 99.0, max);

  return self;
}

/**
 * sp_region_stats_new_for_intervals:
 * @starts: (array length=n_intervals): start times, in nanoseconds
 * @ends: (array length=n_intervals): end times, in nanoseconds, one per
 *   start
 * @n_intervals: the number of intervals
 *
 * Computes the statistics of the durations `ends[i] - starts[i]` of
 * intervals that did not come from a session, in any order. Nothing is
 * known of their nesting, so the self time is the total.
 *
 * Returns: (transfer full): the statistics; their count is 0 when
 *   @n_intervals is 0
 *
 * Since: 0.2
 */
SpRegionStats *
sp_region_stats_new_for_intervals (const gint64 *starts,
                                   const gint64 *ends,
                                   gsize         n_intervals)
{
  g_autofree gint64 *durations = NULL;
  SpRegionStats *self;

  g_return_val_if_fail (n_intervals == 0 || starts != NULL, NULL);
  g_return_val_if_fail (n_intervals == 0 || ends != NULL, NULL);

  if (n_intervals == 0)
    return sp_region_stats_new_from_durations (NULL, 0, 0);

  durations = g_new (gint64, n_intervals);
  for (gsize i = 0; i < n_intervals; i++)
    {
      /* Saturate rather than overflow on absurd input. */
      if (__builtin_sub_overflow (ends[i], starts[i], &durations[i]))
        durations[i] = ends[i] > starts[i] ? G_MAXINT64 : G_MININT64;
    }

  self = sp_region_stats_new_from_durations (durations, n_intervals, 0);
  self->self_time = self->total;

  return self;
}

/**
 * sp_region_stats_ref:
 * @self: an #SpRegionStats
 *
 * Acquires a reference on @self.
 *
 * Returns: (transfer full): @self
 *
 * Since: 0.1
 */
SpRegionStats *
sp_region_stats_ref (SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

/**
 * sp_region_stats_unref:
 * @self: (transfer full): an #SpRegionStats
 *
 * Releases a reference on @self, freeing it when the last one is gone.
 *
 * Since: 0.1
 */
void
sp_region_stats_unref (SpRegionStats *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

/**
 * sp_region_stats_get_count:
 * @self: an #SpRegionStats
 *
 * Gets the number of intervals.
 *
 * Returns: the number of intervals
 *
 * Since: 0.1
 */
guint64
sp_region_stats_get_count (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->count;
}

/**
 * sp_region_stats_get_total:
 * @self: an #SpRegionStats
 *
 * Gets the sum of all durations, in nanoseconds.
 *
 * Returns: the total time
 *
 * Since: 0.1
 */
gint64
sp_region_stats_get_total (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->total;
}

/**
 * sp_region_stats_get_self_time:
 * @self: an #SpRegionStats
 *
 * Gets the total minus the time spent in intervals directly nested in
 * this region's intervals on the same rank and thread, in nanoseconds.
 *
 * Returns: the self time
 *
 * Since: 0.1
 */
gint64
sp_region_stats_get_self_time (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->self_time;
}

/**
 * sp_region_stats_get_mean:
 * @self: an #SpRegionStats
 *
 * Gets the mean duration, in nanoseconds, or 0 when there are no intervals.
 *
 * Returns: the mean duration
 *
 * Since: 0.1
 */
double
sp_region_stats_get_mean (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->mean;
}

/**
 * sp_region_stats_get_min:
 * @self: an #SpRegionStats
 *
 * Gets the shortest duration, in nanoseconds, or 0 when there are no
 * intervals.
 *
 * Returns: the minimum duration
 *
 * Since: 0.1
 */
gint64
sp_region_stats_get_min (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->min;
}

/**
 * sp_region_stats_get_max:
 * @self: an #SpRegionStats
 *
 * Gets the longest duration, in nanoseconds, or 0 when there are no
 * intervals.
 *
 * Returns: the maximum duration
 *
 * Since: 0.1
 */
gint64
sp_region_stats_get_max (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->max;
}

/**
 * sp_region_stats_get_stddev:
 * @self: an #SpRegionStats
 *
 * Gets the population standard deviation of the durations, in nanoseconds.
 *
 * Returns: the standard deviation
 *
 * Since: 0.1
 */
double
sp_region_stats_get_stddev (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->stddev;
}

/**
 * sp_region_stats_get_median:
 * @self: an #SpRegionStats
 *
 * Gets the median duration, in nanoseconds.
 *
 * Returns: the median
 *
 * Since: 0.1
 */
double
sp_region_stats_get_median (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->median;
}

/**
 * sp_region_stats_get_p90:
 * @self: an #SpRegionStats
 *
 * Gets the 90th percentile of the durations, in nanoseconds.
 *
 * Returns: the 90th percentile
 *
 * Since: 0.1
 */
double
sp_region_stats_get_p90 (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->p90;
}

/**
 * sp_region_stats_get_p99:
 * @self: an #SpRegionStats
 *
 * Gets the 99th percentile of the durations, in nanoseconds.
 *
 * Returns: the 99th percentile
 *
 * Since: 0.1
 */
double
sp_region_stats_get_p99 (const SpRegionStats *self)
{
  g_return_val_if_fail (self != NULL, 0.0);

  return self->p99;
}
