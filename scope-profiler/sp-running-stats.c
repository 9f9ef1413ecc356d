/* sp-running-stats.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Running duration statistics (count, total, min, max, mean, M2) that a
 * flush computes block by block and that merge exactly, so the summary of
 * a session never reads its calls back. The public SpRegionStats
 * (sp-region-stats.c) is what readers get: built from these plus the
 * sorted durations its percentiles need. */

#include "config.h"

#include <math.h>
#include <string.h>

#include "sp-running-stats-private.h"

void
sp_running_stats_init (SpRunningStats *stats)
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
add_block_two_pass (SpRunningStats      *stats,
                    const gint64 *starts,
                    const gint64 *ends,
                    gsize         n)
{
  SpRunningStats block;
  double mean;
  double m2 = 0.0;

  sp_running_stats_init (&block);

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

  sp_running_stats_merge (stats, &block);
}

/* One pass, over four lanes at a time: the sums and extremes of the
 * durations in 64-bit integers, and the variance by the shifted-data
 * algorithm over pieces of SP_STATS_PIECE calls, each around its own
 * first duration, merged as Chan et al. merge blocks. A flush runs this
 * over every call it writes, while copying the calls out; it was a quarter
 * of a flush's time in two scalar passes.
 *
 * Precision: within a piece of m calls, the squares sum to at most m + 1
 * times the piece's m2 (its shift is one of its durations), so the final
 * subtraction loses at most log10 (m + 1) digits; a single shift over a
 * whole block lost up to n times that, 1e-8 relative for a block of 10^5
 * calls whose first call was an outlier. Pieces are merged with their
 * means kept relative to the block's first duration (exact integers below
 * 2^51), so merging loses nothing of note either: the relative error of
 * m2 stays near 1e-12.
 *
 * Durations are turned into doubles by adding 2^52 + 2^51 to the bits of
 * their difference to the shift, exact below 2^51 in magnitude; a block
 * whose durations span more than that (weeks) takes two passes instead.
 *
 * The vectors are GCC's; on x86-64 the function is built for AVX-512,
 * AVX2 and the baseline, and the loader picks (not under the sanitizers,
 * whose runtimes start after the choice is made). */
typedef gint64 SpLanes __attribute__ ((vector_size (32)));
typedef double SpLanesF __attribute__ ((vector_size (32)));

#define SP_STATS_PIECE 512

typedef struct
{
  gint64 reference;  /* the block's first duration */
  gint64 sum;
  gint64 min;
  gint64 max;
  double m2;
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

/* The differences to the shifts wrap rather than overflow where the
 * durations span more than 2^63 (such a block is then taken in two
 * passes, see sums_finish()). */
static inline gint64
wrap_add (gint64 a,
          gint64 b)
{
  return (gint64) ((guint64) a + (guint64) b);
}

static inline gint64
wrap_sub (gint64 a,
          gint64 b)
{
  return (gint64) ((guint64) a - (guint64) b);
}

/* Inlined into each clone, so that each is built for its instruction set. */
static inline __attribute__ ((always_inline)) void
sums_run (Sums         *sums,
          const gint64 *starts,
          const gint64 *ends,
          gint64       *starts_copy,
          gint64       *ends_copy,
          gsize         n)
{
  const gint64 reference = ends[0] - starts[0];
  const SpLanes magic = { SP_MAGIC_BITS, SP_MAGIC_BITS, SP_MAGIC_BITS, SP_MAGIC_BITS };
  const SpLanesF magic_f = { SP_MAGIC, SP_MAGIC, SP_MAGIC, SP_MAGIC };
  SpLanes sum = { 0, 0, 0, 0 };
  SpLanes lo = { G_MAXINT64, G_MAXINT64, G_MAXINT64, G_MAXINT64 };
  SpLanes hi = { G_MININT64, G_MININT64, G_MININT64, G_MININT64 };
  gint64 total = 0, min = G_MAXINT64, max = G_MININT64;
  double count = 0, mean = 0, m2 = 0;
  gsize i = 0;

  while (i < n)
    {
      const gsize end = i + MIN (n - i, SP_STATS_PIECE);
      const gint64 k = ends[i] - starts[i];
      const SpLanes shift = { k, k, k, k };
      SpLanes shifted = { 0, 0, 0, 0 };
      SpLanesF squares = { 0, 0, 0, 0 };
      double m = (double) (end - i);
      double piece_mean, piece_m2, delta;
      gint64 xsum;
      double sq;

      for (; i + 4 <= end; i += 4)
        {
          SpLanes s, e, d, below, above, x, bits;
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

          x = d - shift;
          shifted += x;
          bits = x + magic;
          memcpy (&xf, &bits, sizeof xf);
          xf -= magic_f;
          squares += xf * xf;
        }

      xsum = wrap_add (wrap_add (shifted[0], shifted[1]), wrap_add (shifted[2], shifted[3]));
      sq = (squares[0] + squares[1]) + (squares[2] + squares[3]);

      for (; i < end; i++)
        {
          gint64 start = starts[i], stop = ends[i], d = stop - start;
          double x = (double) wrap_sub (d, k);

          if (starts_copy != NULL)
            {
              starts_copy[i] = start;
              ends_copy[i] = stop;
            }
          total = wrap_add (total, d);
          min = MIN (min, d);
          max = MAX (max, d);
          xsum = wrap_add (xsum, wrap_sub (d, k));
          sq += x * x;
        }

      /* The piece around its shift, merged into the block. */
      piece_mean = (double) wrap_sub (k, reference) + (double) xsum / m;
      piece_m2 = MAX (0.0, sq - (double) xsum * ((double) xsum / m));
      delta = piece_mean - mean;
      mean += delta * (m / (count + m));
      m2 += piece_m2 + delta * delta * (count * m / (count + m));
      count += m;
    }

  sums->reference = reference;
  sums->sum = wrap_add (wrap_add (total, wrap_add (sum[0], sum[1])), wrap_add (sum[2], sum[3]));
  sums->min = MIN (min, MIN (MIN (lo[0], lo[1]), MIN (lo[2], lo[3])));
  sums->max = MAX (max, MAX (MAX (hi[0], hi[1]), MAX (hi[2], hi[3])));
  sums->m2 = m2;
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

/* Adds the block to @stats, or returns FALSE where the durations spanned
 * too much for the conversions to be exact. */
static gboolean
sums_finish (const Sums *sums,
             SpRunningStats    *stats,
             gsize       n)
{
  SpRunningStats block;

  /* Every shift is one of the durations: their span bounds every
   * difference. In unsigned arithmetic, which cannot overflow. */
  if ((guint64) sums->max - (guint64) sums->min >= (guint64) SP_EXACT_LIMIT)
    return FALSE;

  block.count = n;
  block.total = sums->sum;
  block.min = sums->min;
  block.max = sums->max;
  /* The mean from the exact sum; the pieces' running mean served m2. */
  block.mean = (double) sums->sum / (double) n;
  block.m2 = sums->m2;

  sp_running_stats_merge (stats, &block);

  return TRUE;
}

void
sp_running_stats_add_block (SpRunningStats      *stats,
                    const gint64 *starts,
                    const gint64 *ends,
                    gsize         n)
{
  Sums sums;

  if (n == 0)
    return;

  sums_block (&sums, starts, ends, n);

  if (!sums_finish (&sums, stats, n))
    add_block_two_pass (stats, starts, ends, n);
}

/* sp_running_stats_add_block() that also copies the block to @starts_copy and
 * @ends_copy in the same pass: the flush stages a block through a buffer
 * on its way to disk. */
void
sp_running_stats_add_block_copy (SpRunningStats      *stats,
                         const gint64 *starts,
                         const gint64 *ends,
                         gint64       *starts_copy,
                         gint64       *ends_copy,
                         gsize         n)
{
  Sums sums;

  if (n == 0)
    return;

  sums_block_copy (&sums, starts, ends, starts_copy, ends_copy, n);

  if (!sums_finish (&sums, stats, n))
    add_block_two_pass (stats, starts, ends, n);
}

void
sp_running_stats_merge (SpRunningStats       *stats,
                const SpRunningStats *other)
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
sp_running_stats_get_stddev (const SpRunningStats *stats)
{
  if (stats->count == 0)
    return 0.0;

  return sqrt (MAX (0.0, stats->m2 / (double) stats->count));
}
