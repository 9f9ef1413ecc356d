/* test-running-stats.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The duration statistics of flushed blocks (sp-running-stats.c) against a
 * reference computed apart: count, total, min and max exactly, the mean
 * to a few ulps and m2 (the sum of squared distances to the mean) to
 * 1e-9 relative. The one-pass algorithm works four lanes at a time with a
 * scalar tail, shifts by the first duration and converts the shifted
 * durations to doubles exactly below 2^51, falling back to two passes
 * above; each of these paths has cases here, for sp_running_stats_add_block() and
 * for sp_running_stats_add_block_copy(), whose copies are checked too.
 */

#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "sp-running-stats-private.h"
#include "sp-test-util.h"

#ifdef __SIZEOF_INT128__

#define M2_TOLERANCE 1e-9

/* What is being checked, for the failure message. */
static char stage[128];

typedef struct
{
  guint64     count;
  __int128    total;
  gint64      min;
  gint64      max;
  long double mean;
  long double m2;
} Reference;

/* The statistics of durations @d[0..n): the sums in 128-bit integers,
 * exact; m2 from distances to an integer near the mean, which are exact in
 * int64 and whose sum is tiny, so nothing cancels and only the squares
 * round, in long double (64-bit mantissa). */
static Reference
reference (const gint64 *d,
           gsize         n)
{
  Reference ref = { n, 0, G_MAXINT64, G_MININT64, 0, 0 };
  __int128 shifted_sum = 0;
  long double squares = 0;
  gint64 k;

  for (gsize i = 0; i < n; i++)
    {
      ref.total += d[i];
      ref.min = MIN (ref.min, d[i]);
      ref.max = MAX (ref.max, d[i]);
    }

  ref.mean = (long double) ref.total / (long double) n;
  k = (gint64) llroundl (ref.mean);

  for (gsize i = 0; i < n; i++)
    {
      __int128 x = (__int128) d[i] - k;

      shifted_sum += x;
      squares += (long double) x * (long double) x;
    }

  ref.m2 = squares - (long double) shifted_sum * (long double) shifted_sum / (long double) n;

  return ref;
}

static void
assert_close (long double  value,
              long double  expected,
              double       relative,
              long double  absolute,
              const char  *what)
{
  long double error = fabsl (value - expected);
  long double bound = MAX (relative * fabsl (expected), absolute);

  /* valgrind computes long double at double precision: the reference is
   * then no better than what it checks. (Exact fields and the copies are
   * still checked; the precision is, outside valgrind.) */
  if (RUNNING_ON_VALGRIND)
    return;

  /* Not fatal: the other cases of the test still run and report. */
  if (!(error <= bound))
    g_test_message ("FAIL: %s (%s): relative error %.3Lg", what, stage,
                    error / MAX (fabsl (expected), LDBL_MIN));
  if (!(error <= bound))
    g_test_fail_printf ("%s (%s): %.21Lg, expected %.21Lg (relative error %.3Lg, bound %.3Lg)",
                        what, stage, value, expected, error / MAX (fabsl (expected), LDBL_MIN),
                        bound / MAX (fabsl (expected), LDBL_MIN));
}

/* m2 to 1e-9 relative, of one block. The mean is a double, rounded by up
 * to an ulp: merging blocks adds each block's distance to the running
 * mean, squared and weighted, and those distances carry the rounding of
 * the means. Over all merges that is at most about 2 ulp(mean) ×
 * sqrt(count × m2) (Cauchy-Schwarz over the weights, which sum to at most
 * count): nothing next to a real variance, but more than 1e-9 of a
 * variance below a nanosecond squared around a second. */
static long double
m2_slack (const Reference *ref,
          gboolean         merged)
{
  long double ulp = 2 * DBL_EPSILON * fabsl (ref->mean);
  long double slack = ref->count * ulp * ulp;

  if (merged)
    slack += 2 * ulp * sqrtl (ref->count * ref->m2);

  return slack;
}

static void
assert_matches_full (const SpRunningStats   *stats,
                     const Reference *ref,
                     gboolean         merged)
{
  long double slack = m2_slack (ref, merged);

  g_assert_cmpuint (stats->count, ==, ref->count);
  /* The library's total is an int64: the cases stay within it. */
  g_assert_true (ref->total >= G_MININT64 && ref->total <= G_MAXINT64);
  g_assert_cmpint (stats->total, ==, (gint64) ref->total);
  g_assert_cmpint (stats->min, ==, ref->min);
  g_assert_cmpint (stats->max, ==, ref->max);
  /* Rounded from the exact total, then moved by each merge. */
  assert_close (stats->mean, ref->mean, merged ? 1e-12 : 4 * DBL_EPSILON, 0, "mean");
  assert_close (stats->m2, ref->m2, M2_TOLERANCE, slack, "m2");
  assert_close (sp_running_stats_get_stddev (stats), sqrtl (ref->m2 / ref->count),
                M2_TOLERANCE, sqrtl (slack / ref->count), "stddev");
}

/* One block. */
static void
assert_matches (const SpRunningStats   *stats,
                const Reference *ref)
{
  assert_matches_full (stats, ref, FALSE);
}

static void
assert_matches_merged (const SpRunningStats   *stats,
                       const Reference *ref)
{
  assert_matches_full (stats, ref, TRUE);
}

/* Calls with durations @d, starting anywhere from @base on (the starts
 * themselves do not matter, only the differences). */
static void
make_calls (const gint64  *d,
            gsize          n,
            gint64         base,
            gint64       **starts,
            gint64       **ends)
{
  *starts = g_new (gint64, n);
  *ends = g_new (gint64, n);

  for (gsize i = 0; i < n; i++)
    {
      (*starts)[i] = base + (gint64) i * 1000;
      (*ends)[i] = (*starts)[i] + d[i];
    }
}

#define CANARY G_GINT64_CONSTANT (0x5a5a5a5a5a5a5a5a)

/* Checks both entry points on the calls of durations @d: one block, the
 * copy variant (copies and canaries behind them), blocks added one after
 * another to the same statistics, and separately gathered blocks merged. */
static void
check_durations (const gint64 *d,
                 gsize         n,
                 gint64        base)
{
  g_autofree gint64 *starts = NULL;
  g_autofree gint64 *ends = NULL;
  g_autofree gint64 *starts_copy = g_new (gint64, n + 4);
  g_autofree gint64 *ends_copy = g_new (gint64, n + 4);
  Reference ref = reference (d, n);
  static const gsize splits[] = { 1, 3, 4, 5, 7, 100, 1000, 4096 };
  SpRunningStats stats;

  make_calls (d, n, base, &starts, &ends);

  g_snprintf (stage, sizeof stage, "one block of %" G_GSIZE_FORMAT, n);
  sp_running_stats_init (&stats);
  sp_running_stats_add_block (&stats, starts, ends, n);
  assert_matches (&stats, &ref);

  g_snprintf (stage, sizeof stage, "one block of %" G_GSIZE_FORMAT ", copied", n);
  for (gsize i = 0; i < n + 4; i++)
    starts_copy[i] = ends_copy[i] = CANARY;
  sp_running_stats_init (&stats);
  sp_running_stats_add_block_copy (&stats, starts, ends, starts_copy, ends_copy, n);
  assert_matches (&stats, &ref);
  g_assert_cmpmem (starts_copy, n * sizeof (gint64), starts, n * sizeof (gint64));
  g_assert_cmpmem (ends_copy, n * sizeof (gint64), ends, n * sizeof (gint64));
  for (gsize i = n; i < n + 4; i++)
    {
      g_assert_cmpint (starts_copy[i], ==, CANARY);
      g_assert_cmpint (ends_copy[i], ==, CANARY);
    }

  /* Blocks of various lengths: into one SpRunningStats, and each into its own,
   * merged. Both equal the single block. */
  for (guint s = 0; s < G_N_ELEMENTS (splits); s++)
    {
      gsize piece = splits[s];
      SpRunningStats merged, part;

      if (piece >= n)
        continue;
      g_snprintf (stage, sizeof stage, "%" G_GSIZE_FORMAT " calls in blocks of %" G_GSIZE_FORMAT, n, piece);

      sp_running_stats_init (&stats);
      sp_running_stats_init (&merged);
      for (gsize i = 0; i < n; i += piece)
        {
          gsize m = MIN (piece, n - i);

          if ((i / piece) % 2 == 0)
            sp_running_stats_add_block (&stats, starts + i, ends + i, m);
          else
            sp_running_stats_add_block_copy (&stats, starts + i, ends + i, starts_copy, ends_copy, m);

          sp_running_stats_init (&part);
          sp_running_stats_add_block (&part, starts + i, ends + i, m);
          sp_running_stats_merge (&merged, &part);
        }
      assert_matches_merged (&stats, &ref);
      assert_matches_merged (&merged, &ref);
    }

  /* Empty blocks and empty statistics change nothing. */
  {
    SpRunningStats empty;

    g_snprintf (stage, sizeof stage, "%" G_GSIZE_FORMAT " calls and empty blocks", n);
    sp_running_stats_init (&stats);
    sp_running_stats_add_block (&stats, starts, ends, 0);
    sp_running_stats_add_block_copy (&stats, starts, ends, starts_copy, ends_copy, 0);
    g_assert_cmpuint (stats.count, ==, 0);
    sp_running_stats_add_block (&stats, starts, ends, n);
    sp_running_stats_init (&empty);
    sp_running_stats_merge (&stats, &empty);
    /* Merged into empty statistics: taken as they are. */
    assert_matches (&stats, &ref);
  }
}

/* ---------------------------------------------------------------------- */

/* Every length around the four lanes: the tail alone (1-3), one vector
 * and a tail, several. */
static void
test_stats_tails (void)
{
  static const gint64 pool[] = {
    1000, 1003, 999, 1500, 12, 1000000, 1001, 7, 1000, 1000, 65536, 3,
    2, 999999, 42, 4242, 100,
  };

  for (gsize n = 1; n <= G_N_ELEMENTS (pool); n++)
    check_durations (pool, n, 0);

  /* The same, around a large offset with the calls lasting a second. */
  for (gsize n = 1; n <= G_N_ELEMENTS (pool); n++)
    {
      gint64 d[G_N_ELEMENTS (pool)];

      for (gsize i = 0; i < n; i++)
        d[i] = G_GINT64_CONSTANT (1000000000) + pool[i];
      check_durations (d, n, G_GINT64_CONSTANT (1000000000000));
    }
}

/* All durations equal: m2 is exactly 0, at any length. */
static void
test_stats_constant (void)
{
  static const gsize lengths[] = { 1, 2, 3, 4, 5, 8, 9, 1023, 100000 };

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      g_autofree gint64 *d = g_new (gint64, lengths[l]);

      g_autofree gint64 *starts = NULL;
      g_autofree gint64 *ends = NULL;
      SpRunningStats stats;

      for (gsize i = 0; i < lengths[l]; i++)
        d[i] = G_GINT64_CONSTANT (1234567890123);
      check_durations (d, lengths[l], G_GINT64_CONSTANT (1000000000000));

      /* In one block, not a rounding error of variance. */
      make_calls (d, lengths[l], G_GINT64_CONSTANT (1000000000000), &starts, &ends);
      sp_running_stats_init (&stats);
      sp_running_stats_add_block (&stats, starts, ends, lengths[l]);
      g_assert_cmpfloat (stats.m2, ==, 0.0);
      g_assert_cmpfloat (sp_running_stats_get_stddev (&stats), ==, 0.0);
    }
}

/* A tight cluster of long calls at a late time: durations of a second give
 * or take a few hundred nanoseconds, so a sum of squares of the raw
 * durations (1e18 each) would cancel away the variance (1e4). */
static void
test_stats_tight_cluster (void)
{
  gsize n = 100000;
  g_autofree gint64 *d = g_new (gint64, n);
  GRand *rand = g_rand_new_with_seed (20261125);

  for (gsize i = 0; i < n; i++)
    d[i] = G_GINT64_CONSTANT (1000000000) + g_rand_int_range (rand, -300, 301);
  check_durations (d, n, G_GINT64_CONSTANT (1000000000000));

  /* Nanosecond noise only: m2 of order n. */
  for (gsize i = 0; i < n; i++)
    d[i] = G_GINT64_CONSTANT (1000000000) + g_rand_int_range (rand, 0, 2);
  check_durations (d, n, G_GINT64_CONSTANT (1000000000000));

  g_rand_free (rand);
}

/* The shift is the first duration; when it is far from all the others,
 * the shifted squares are large and the variance is mostly the outlier's:
 * still within n ε of it. */
static void
test_stats_first_outlier (void)
{
  static const gint64 outliers[] = {
    1, G_GINT64_CONSTANT (1000000000000), G_GINT64_CONSTANT (1) << 50,
  };
  gsize n = 100000;
  g_autofree gint64 *d = g_new (gint64, n);
  GRand *rand = g_rand_new_with_seed (7);

  for (guint o = 0; o < G_N_ELEMENTS (outliers); o++)
    {
      d[0] = outliers[o];
      for (gsize i = 1; i < n; i++)
        d[i] = G_GINT64_CONSTANT (1000000000) + g_rand_int_range (rand, -50, 51);
      check_durations (d, n, G_GINT64_CONSTANT (1000000000000));

      /* And a small block, where the outlier weighs more. */
      check_durations (d, 6, 0);
    }

  g_rand_free (rand);
}

/* Durations that differ from the first by 2^51 or more cannot be turned
 * into doubles exactly by the one-pass trick: the block takes two passes.
 * Just below the limit it does not. Either way the result is right, with
 * the far duration in a vector lane or in the tail, above or below the
 * first. */
static void
test_stats_wide_span (void)
{
  const gint64 limit = G_GINT64_CONSTANT (1) << 51;
  const gint64 spans[] = { limit - 1, limit, limit + 1, G_GINT64_CONSTANT (1) << 52,
                           G_GINT64_CONSTANT (1) << 60, G_MAXINT64 / 4 };

  for (guint s = 0; s < G_N_ELEMENTS (spans); s++)
    for (gsize n = 2; n <= 11; n++)
      for (gsize at = 1; at < n; at++)
        {
          gint64 d[11];
          gint64 below[11];

          /* Far above the first duration... */
          for (gsize i = 0; i < n; i++)
            d[i] = 1000 + (gint64) i;
          d[at] = d[0] + spans[s];
          check_durations (d, n, 0);

          /* ...and the first far above the others. */
          for (gsize i = 0; i < n; i++)
            below[i] = 5 + (gint64) (i % 3);
          below[0] = below[at] + spans[s];
          check_durations (below, n, 0);
        }

  /* A block spread over weeks (durations up to 2^52 ns, 52 days): the
   * fallback over many calls (as many as keep the total an int64). */
  {
    gsize n = 1500;
    g_autofree gint64 *d = g_new (gint64, n);
    GRand *rand = g_rand_new_with_seed (51);

    for (gsize i = 0; i < n; i++)
      d[i] = (gint64) (g_rand_double (rand) * (double) (G_GINT64_CONSTANT (1) << 52));
    d[0] = 17;
    check_durations (d, n, 0);
    g_rand_free (rand);
  }
}

/* Random blocks of random lengths, merged in random splits, against the
 * reference over all of them. */
static void
test_stats_random_merges (void)
{
  GRand *rand = g_rand_new_with_seed (99);

  for (guint round = 0; round < 200; round++)
    {
      gsize n = g_rand_int_range (rand, 1, 3000);
      g_autofree gint64 *d = g_new (gint64, n);
      g_autofree gint64 *starts = NULL;
      g_autofree gint64 *ends = NULL;
      gint64 center = g_rand_int_range (rand, 0, 1 << 30) * G_GINT64_CONSTANT (1000);
      gint32 spread = g_rand_int_range (rand, 1, 1 << 20);
      Reference ref;
      SpRunningStats stats;

      for (gsize i = 0; i < n; i++)
        d[i] = center + g_rand_int_range (rand, 0, spread);
      ref = reference (d, n);
      make_calls (d, n, G_GINT64_CONSTANT (1) << 40, &starts, &ends);
      g_snprintf (stage, sizeof stage, "random round %u", round);

      sp_running_stats_init (&stats);
      for (gsize i = 0; i < n;)
        {
          gsize want = g_rand_int_range (rand, 1, 300);
          gsize m = MIN (n - i, want);
          SpRunningStats part;

          sp_running_stats_init (&part);
          sp_running_stats_add_block (&part, starts + i, ends + i, m);
          sp_running_stats_merge (&stats, &part);
          i += m;
        }
      assert_matches_merged (&stats, &ref);
    }

  g_rand_free (rand);
}

#else /* !__SIZEOF_INT128__ */

static void
test_stats_no_int128 (void)
{
  g_test_skip ("The reference sums need 128-bit integers");
}

#endif /* __SIZEOF_INT128__ */

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#ifndef __SIZEOF_INT128__
  g_test_add_func ("/ScopeProfiler/RunningStats/skipped", test_stats_no_int128);
#else
  g_test_add_func ("/ScopeProfiler/RunningStats/tails", test_stats_tails);
  g_test_add_func ("/ScopeProfiler/RunningStats/constant", test_stats_constant);
  g_test_add_func ("/ScopeProfiler/RunningStats/tight-cluster", test_stats_tight_cluster);
  g_test_add_func ("/ScopeProfiler/RunningStats/first-outlier", test_stats_first_outlier);
  g_test_add_func ("/ScopeProfiler/RunningStats/wide-span", test_stats_wide_span);
  g_test_add_func ("/ScopeProfiler/RunningStats/random-merges", test_stats_random_merges);
#endif

  return g_test_run ();
}
