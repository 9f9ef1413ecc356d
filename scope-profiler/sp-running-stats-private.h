/* sp-running-stats-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Running duration statistics that merge exactly (Chan et al.), so blocks
 * flushed to disk never need to be read back for the summary. */
typedef struct _SpRunningStats
{
  guint64 count;
  gint64  total;
  gint64  min;
  gint64  max;
  double  mean;
  double  m2;
} SpRunningStats;

/* Sums of durations over hostile files can pass the int64 range: they
 * stop at its ends instead of overflowing. */
static inline gint64
sp_saturating_add (gint64 a,
                   gint64 b)
{
  gint64 r;

  if (__builtin_add_overflow (a, b, &r))
    return b > 0 ? G_MAXINT64 : G_MININT64;
  return r;
}

/* The span between two timestamps of a hostile file can pass the int64
 * range too (a first call far before the epoch, a last one far after). */
static inline gint64
sp_saturating_sub (gint64 a,
                   gint64 b)
{
  gint64 r;

  if (__builtin_sub_overflow (a, b, &r))
    return b < 0 ? G_MAXINT64 : G_MININT64;
  return r;
}

void   sp_running_stats_init       (SpRunningStats       *stats);
void   sp_running_stats_add_block  (SpRunningStats       *stats,
                            const gint64  *starts,
                            const gint64  *ends,
                            gsize          n);
void   sp_running_stats_add_block_copy (SpRunningStats      *stats,
                                const gint64 *starts,
                                const gint64 *ends,
                                gint64       *starts_copy,
                                gint64       *ends_copy,
                                gsize         n);
void   sp_running_stats_merge      (SpRunningStats       *stats,
                            const SpRunningStats *other);
double sp_running_stats_get_stddev (const SpRunningStats *stats);

G_END_DECLS
