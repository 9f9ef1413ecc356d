/* sp-stats.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "sp-stats-private.h"

void
sp_stats_init (SpStats *stats)
{
  stats->count = 0;
  stats->total = 0;
  stats->min = G_MAXINT64;
  stats->max = G_MININT64;
  stats->mean = 0.0;
  stats->m2 = 0.0;
}

void
sp_stats_add_block (SpStats      *stats,
                    const gint64 *starts,
                    const gint64 *ends,
                    gsize         n)
{
  SpStats block;
  double mean;
  double m2 = 0.0;

  if (n == 0)
    return;

  sp_stats_init (&block);

  for (gsize i = 0; i < n; i++)
    {
      gint64 d = ends[i] - starts[i];

      block.total += d;
      block.min = MIN (block.min, d);
      block.max = MAX (block.max, d);
    }

  /* Two passes keep the variance exact for large, tightly clustered
   * durations where sum-of-squares would cancel. */
  mean = (double) block.total / (double) n;
  for (gsize i = 0; i < n; i++)
    {
      double delta = (double) (ends[i] - starts[i]) - mean;
      m2 += delta * delta;
    }

  block.count = n;
  block.mean = mean;
  block.m2 = m2;

  sp_stats_merge (stats, &block);
}

void
sp_stats_merge (SpStats       *stats,
                const SpStats *other)
{
  double delta;
  double count;

  if (other->count == 0)
    return;

  if (stats->count == 0)
    {
      *stats = *other;
      return;
    }

  count = (double) stats->count + (double) other->count;
  delta = other->mean - stats->mean;

  stats->m2 += other->m2 + delta * delta * (double) stats->count * (double) other->count / count;
  stats->mean += delta * (double) other->count / count;
  stats->count += other->count;
  stats->total += other->total;
  stats->min = MIN (stats->min, other->min);
  stats->max = MAX (stats->max, other->max);
}

/* Population standard deviation, as numpy.std() and the Python
 * scope-profiler report it. */
double
sp_stats_get_stddev (const SpStats *stats)
{
  if (stats->count == 0)
    return 0.0;

  return sqrt (MAX (0.0, stats->m2 / (double) stats->count));
}
