/* sp-stats-private.h
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
typedef struct _SpStats
{
  guint64 count;
  gint64  total;
  gint64  min;
  gint64  max;
  double  mean;
  double  m2;
} SpStats;

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

void   sp_stats_init       (SpStats       *stats);
void   sp_stats_add_block  (SpStats       *stats,
                            const gint64  *starts,
                            const gint64  *ends,
                            gsize          n);
void   sp_stats_add_block_copy (SpStats      *stats,
                                const gint64 *starts,
                                const gint64 *ends,
                                gint64       *starts_copy,
                                gint64       *ends_copy,
                                gsize         n);
void   sp_stats_merge      (SpStats       *stats,
                            const SpStats *other);
double sp_stats_get_stddev (const SpStats *stats);

G_END_DECLS
