/* sp-stats.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

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

/* Two passes keep the variance exact for large, tightly clustered
 * durations where a sum of squares in doubles would cancel. */
static void
add_block_two_pass (SpStats      *stats,
                    const gint64 *starts,
                    const gint64 *ends,
                    gsize         n)
{
  SpStats block;
  double mean;
  double m2 = 0.0;

  sp_stats_init (&block);

  for (gsize i = 0; i < n; i++)
    {
      gint64 d = ends[i] - starts[i];

      block.total += d;
      block.min = MIN (block.min, d);
      block.max = MAX (block.max, d);
    }

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

/* One pass, over four lanes at a time: the sums and extremes of the
 * durations in 64-bit integers, and the squares of their distances to the
 * block's first duration in doubles (the shifted-data algorithm: its
 * rounding error is about n ε relative to m2, since the shift is one of the
 * durations). A flush runs this over every call it writes, while copying
 * the calls out; it was a quarter of a flush's time in two scalar passes.
 *
 * The differences are turned into doubles by adding 2^52 + 2^51 to their
 * bits, exact below 2^51 in magnitude; a block where they are larger
 * (durations of weeks) takes two passes instead.
 *
 * The vectors are GCC's; on x86-64 the function is built for AVX-512,
 * AVX2 and the baseline, and the loader picks (not under the sanitizers,
 * whose runtimes start after the choice is made). */
typedef gint64 SpLanes __attribute__ ((vector_size (32)));
typedef double SpLanesF __attribute__ ((vector_size (32)));

typedef struct
{
  gint64 shift;
  gint64 sum;
  gint64 min;
  gint64 max;
  double squares;
} Sums;

#define SP_MAGIC_BITS G_GINT64_CONSTANT (0x4338000000000000)
#define SP_MAGIC      6755399441055744.0 /* 2^52 + 2^51 */
#define SP_EXACT_LIMIT (G_GINT64_CONSTANT (1) << 51)

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__) && !defined(__clang__)
# define SP_STATS_CLONES __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
# define SP_STATS_CLONES
#endif

static inline void
sums_run (Sums         *sums,
          const gint64 *starts,
          const gint64 *ends,
          gint64       *starts_copy,
          gint64       *ends_copy,
          gsize         n)
{
  const gint64 k = sums->shift;
  SpLanes shift = { k, k, k, k };
  SpLanes magic = { SP_MAGIC_BITS, SP_MAGIC_BITS, SP_MAGIC_BITS, SP_MAGIC_BITS };
  SpLanesF magic_f = { SP_MAGIC, SP_MAGIC, SP_MAGIC, SP_MAGIC };
  SpLanes sum = { 0, 0, 0, 0 };
  SpLanes lo = { G_MAXINT64, G_MAXINT64, G_MAXINT64, G_MAXINT64 };
  SpLanes hi = { G_MININT64, G_MININT64, G_MININT64, G_MININT64 };
  SpLanesF squares = { 0, 0, 0, 0 };
  gint64 total, min, max;
  double sq;
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    {
      SpLanes s, e, d, below, above, x;
      SpLanesF xf;

      memcpy (&s, starts + i, sizeof s);
      memcpy (&e, ends + i, sizeof e);
      if (starts_copy != NULL)
        {
          memcpy (starts_copy + i, &s, sizeof s);
          memcpy (ends_copy + i, &e, sizeof e);
        }

      d = e - s;
      sum += d;
      below = d < lo;
      above = d > hi;
      lo = (d & below) | (lo & ~below);
      hi = (d & above) | (hi & ~above);

      x = (d - shift) + magic;
      memcpy (&xf, &x, sizeof xf);
      xf -= magic_f;
      squares += xf * xf;
    }

  total = sum[0] + sum[1] + sum[2] + sum[3];
  min = MIN (MIN (lo[0], lo[1]), MIN (lo[2], lo[3]));
  max = MAX (MAX (hi[0], hi[1]), MAX (hi[2], hi[3]));
  sq = (squares[0] + squares[1]) + (squares[2] + squares[3]);

  for (; i < n; i++)
    {
      gint64 start = starts[i], end = ends[i], d = end - start;
      double x = (double) (d - k);

      if (starts_copy != NULL)
        {
          starts_copy[i] = start;
          ends_copy[i] = end;
        }
      total += d;
      min = MIN (min, d);
      max = MAX (max, d);
      sq += x * x;
    }

  sums->sum = total;
  sums->min = min;
  sums->max = max;
  sums->squares = sq;
}

SP_STATS_CLONES static void
sums_block (Sums         *sums,
            const gint64 *starts,
            const gint64 *ends,
            gsize         n)
{
  sums_run (sums, starts, ends, NULL, NULL, n);
}

SP_STATS_CLONES static void
sums_block_copy (Sums         *sums,
                 const gint64 *starts,
                 const gint64 *ends,
                 gint64       *starts_copy,
                 gint64       *ends_copy,
                 gsize         n)
{
  sums_run (sums, starts, ends, starts_copy, ends_copy, n);
}

/* Adds the block to @stats, or returns FALSE where the shifted durations
 * were too large for the conversion to be exact. */
static gboolean
sums_finish (const Sums *sums,
             SpStats    *stats,
             gsize       n)
{
  SpStats block;
  double shifted_sum;

  /* In 128 bits where there are: neither difference may overflow. */
#ifdef __SIZEOF_INT128__
  if ((__int128) sums->max - sums->shift >= SP_EXACT_LIMIT ||
      (__int128) sums->shift - sums->min >= SP_EXACT_LIMIT)
    return FALSE;
  shifted_sum = (double) ((__int128) sums->sum - (__int128) n * sums->shift);
#else
  if ((double) sums->max - (double) sums->shift >= (double) SP_EXACT_LIMIT ||
      (double) sums->shift - (double) sums->min >= (double) SP_EXACT_LIMIT)
    return FALSE;
  shifted_sum = (double) sums->sum - (double) n * (double) sums->shift;
#endif

  block.count = n;
  block.total = sums->sum;
  block.min = sums->min;
  block.max = sums->max;
  block.mean = (double) sums->sum / (double) n;
  block.m2 = MAX (0.0, sums->squares - shifted_sum * shifted_sum / (double) n);

  sp_stats_merge (stats, &block);

  return TRUE;
}

void
sp_stats_add_block (SpStats      *stats,
                    const gint64 *starts,
                    const gint64 *ends,
                    gsize         n)
{
  Sums sums;

  if (n == 0)
    return;

  sums.shift = ends[0] - starts[0];
  sums_block (&sums, starts, ends, n);

  if (!sums_finish (&sums, stats, n))
    add_block_two_pass (stats, starts, ends, n);
}

/* sp_stats_add_block() that also copies the block to @starts_copy and
 * @ends_copy in the same pass: the flush stages a block through a buffer
 * on its way to disk. */
void
sp_stats_add_block_copy (SpStats      *stats,
                         const gint64 *starts,
                         const gint64 *ends,
                         gint64       *starts_copy,
                         gint64       *ends_copy,
                         gsize         n)
{
  Sums sums;

  if (n == 0)
    return;

  sums.shift = ends[0] - starts[0];
  sums_block_copy (&sums, starts, ends, starts_copy, ends_copy, n);

  if (!sums_finish (&sums, stats, n))
    add_block_two_pass (stats, starts, ends, n);
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
