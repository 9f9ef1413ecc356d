/* test-analysis.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include <glib/gstdio.h>

#include "sp-test-util.h"

/* Sessions with exact timestamps, written by fixtures/write-session.py.
 *
 * "two": 2 ranks × 2 threads, times in ns.
 *   rank 0 thread 0: main [0,100]; rec [10,60] ⊃ rec [20,40] ⊃ rec [25,30];
 *                    work [70,90]
 *   rank 0 thread 1: work [5,45]; rec [50,80]
 *   rank 1 thread 0: main [0,200]; work [10,110]
 *   rank 1 thread 1: work [20,60]; work [100,150]
 * Lane spans 100, 75, 200, 130 (sum 505); rank spans 100 and 200.
 *
 * "one": 1 rank: main [0,300]; work [0,100], [100,200]. */
static const char *two_spec =
  "{\"metadata\": {\"mpi_size\": 2}, \"calls\": ["
  "[0,0,\"main\",0,100],[0,0,\"rec\",10,60],[0,0,\"rec\",20,40],[0,0,\"rec\",25,30],[0,0,\"work\",70,90],"
  "[0,1,\"work\",5,45],[0,1,\"rec\",50,80],"
  "[1,0,\"main\",0,200],[1,0,\"work\",10,110],"
  "[1,1,\"work\",20,60],[1,1,\"work\",100,150]]}";

static const char *one_spec =
  "{\"calls\": [[0,0,\"main\",0,300],[0,0,\"work\",0,100],[0,0,\"work\",100,200]]}";

static char *tmpdir;

static SpSession *
load_spec (const char *name,
           const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "fixtures", "write-session.py", NULL);
  g_autofree char *json = g_strdup_printf ("%s/%s.json", tmpdir, name);
  g_autofree char *path = g_strdup_printf ("%s/%s.h5", tmpdir, name);
  g_autofree char *err_out = NULL;
  const char *argv[] = { "/usr/bin/python3", script, path, json, NULL };
  SpSession *session;
  int status = 0;

  g_file_set_contents (json, spec, -1, &error);
  g_assert_no_error (error);

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err_out, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", script, error->message, err_out ? err_out : "");

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);

  g_unlink (json);
  g_unlink (path);

  return session;
}

static guint
region (SpSession  *session,
        const char *name)
{
  guint index = G_MAXUINT;

  g_assert_true (sp_session_lookup_region (session, name, &index));

  return index;
}

static void
test_spans (void)
{
  g_autoptr(SpSession) session = load_spec ("two", two_spec);
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);
  guint lane;

  g_assert_true (sp_analysis_get_session (analysis) == session);
  g_assert_cmpint (sp_analysis_get_rank_span (analysis, 0), ==, 100);
  g_assert_cmpint (sp_analysis_get_rank_span (analysis, 1), ==, 200);
  g_assert_cmpint (sp_analysis_get_rank_span (analysis, 7), ==, 0);
  g_assert_cmpint (sp_analysis_get_rank_spans_sum (analysis), ==, 300);
  /* The slowest rank's span. */
  g_assert_cmpint (sp_analysis_get_wall_time (analysis), ==, 200);
  g_assert_cmpuint (sp_analysis_get_slowest_rank (analysis), ==, 1);
  g_assert_cmpuint (sp_analysis_get_n_ranks (analysis), ==, 2);

  g_assert_true (sp_session_lookup_lane (session, 0, 1, &lane));
  g_assert_cmpint (sp_analysis_get_lane_span (analysis, lane), ==, 75);
  g_assert_true (sp_session_lookup_lane (session, 1, 1, &lane));
  g_assert_cmpint (sp_analysis_get_lane_span (analysis, lane), ==, 130);
  g_assert_cmpint (sp_analysis_get_lane_time (analysis), ==, 505);
}

static void
test_share (void)
{
  g_autoptr(SpSession) session = load_spec ("two", two_spec);
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);
  guint main_ = region (session, "main");
  guint rec = region (session, "rec");
  guint work = region (session, "work");
  double sum = 0;

  /* Recursion counted once: [10,60] on one lane, [50,80] on another. */
  g_assert_cmpint (sp_analysis_get_region_covered_time (analysis, rec), ==, 80);
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_share (analysis, rec), 80.0 / 505, 1e-12);
  /* Its calls' durations sum to more than it covers. */
  {
    g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, rec);
    g_assert_cmpint (sp_region_stats_get_total (stats), ==, 105);
  }

  g_assert_cmpint (sp_analysis_get_region_covered_time (analysis, main_), ==, 300);
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_share (analysis, main_), 300.0 / 505, 1e-12);
  /* Each thread is a lane: work on both threads of both ranks. */
  g_assert_cmpint (sp_analysis_get_region_covered_time (analysis, work), ==, 250);
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_share (analysis, work), 250.0 / 505, 1e-12);

  for (guint r = 0; r < sp_session_get_n_regions (session); r++)
    {
      double share = sp_analysis_get_region_share (analysis, r);

      g_assert_cmpfloat (share, >=, 0.0);
      g_assert_cmpfloat (share, <=, 1.0);
      sum += share;
    }
  g_assert_cmpfloat (sum, >, 1.0);  /* nested regions overlap; each is ≤ 1 */
}

static void
test_share_whole_run (void)
{
  g_autoptr(SpSession) session = load_spec ("one", one_spec);
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);

  /* A region open for the whole run on its only lane is the whole run. */
  g_assert_cmpfloat (sp_analysis_get_region_share (analysis, region (session, "main")), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_share (analysis, region (session, "work")), 200.0 / 300, 1e-12);
  g_assert_cmpint (sp_analysis_get_wall_time (analysis), ==, 300);
  g_assert_cmpuint (sp_analysis_get_n_ranks (analysis), ==, 1);
}

static void
test_imbalance (void)
{
  g_autoptr(SpSession) session = load_spec ("two", two_spec);
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);
  guint main_ = region (session, "main");
  guint rec = region (session, "rec");
  guint work = region (session, "work");

  g_assert_cmpint (sp_analysis_get_region_rank_total (analysis, main_, 0), ==, 100);
  g_assert_cmpint (sp_analysis_get_region_rank_total (analysis, main_, 1), ==, 200);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, main_, SP_RANK_FIGURE_MEAN_TOTAL), ==, 150);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, main_, SP_RANK_FIGURE_MAX_TOTAL), ==, 200);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, main_, SP_RANK_FIGURE_MIN_TOTAL), ==, 100);
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_imbalance (analysis, main_), 4.0 / 3, 1e-12);
  g_assert_cmpuint (sp_analysis_get_region_slowest_rank (analysis, main_), ==, 1);

  /* Rank 1 never entered rec: it counts as 0. All 105 ns of nested calls
   * count in the total. */
  g_assert_cmpint (sp_analysis_get_region_rank_total (analysis, rec, 0), ==, 105);
  g_assert_cmpint (sp_analysis_get_region_rank_total (analysis, rec, 1), ==, 0);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, rec, SP_RANK_FIGURE_MEAN_TOTAL), ==, 52.5);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, rec, SP_RANK_FIGURE_MIN_TOTAL), ==, 0);
  g_assert_cmpfloat (sp_analysis_get_region_imbalance (analysis, rec), ==, 2.0);
  g_assert_cmpuint (sp_analysis_get_region_slowest_rank (analysis, rec), ==, 0);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, rec, SP_RANK_FIGURE_MEAN_CALLS), ==, 2.0);

  /* work: rank 0 20 + 40, rank 1 100 + 40 + 50. */
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, work, SP_RANK_FIGURE_MEAN_TOTAL), ==, 125);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, work, SP_RANK_FIGURE_MAX_TOTAL), ==, 190);
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_imbalance (analysis, work), 190.0 / 125, 1e-12);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, work, SP_RANK_FIGURE_MEAN_PER_CALL), ==, 50);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, work, SP_RANK_FIGURE_MEAN_CALLS), ==, 2.5);

  /* Self times: main 100 - (50 + 20) on rank 0, 200 - 100 on rank 1. */
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, main_, SP_RANK_FIGURE_MEAN_SELF), ==, 65);
  /* rec: 50 - 20, 20 - 5, 5, 30 on rank 0. */
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, rec, SP_RANK_FIGURE_MEAN_SELF), ==, 40);
}

static void
test_compare (void)
{
  g_autoptr(SpSession) one = load_spec ("one", one_spec);
  g_autoptr(SpSession) two = load_spec ("two", two_spec);
  g_autoptr(SpAnalysis) a = sp_analysis_new (one);
  g_autoptr(SpAnalysis) b = sp_analysis_new (two);
  double efficiency = 0;

  /* From 1 rank to 2: main's sum over ranks grew (300 → 300 + 0), but per
   * rank it halved and the run got faster. */
  g_assert_cmpfloat_with_epsilon (sp_analysis_compare_region (a, b, "main", SP_RANK_FIGURE_MEAN_TOTAL), -50.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sp_analysis_compare_region (a, b, "main", SP_RANK_FIGURE_MAX_TOTAL), -100.0 / 3, 1e-9);
  g_assert_cmpfloat_with_epsilon (sp_analysis_compare_wall_time (a, b), -100.0 / 3, 1e-9);
  /* work: 100 ns per call → 50 ns per call. */
  g_assert_cmpfloat_with_epsilon (sp_analysis_compare_region (a, b, "work", SP_RANK_FIGURE_MEAN_PER_CALL), -50.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (sp_analysis_compare_region (a, b, "work", SP_RANK_FIGURE_MEAN_CALLS), 25.0, 1e-9);
  /* rec is only in b. */
  g_assert_true (isnan (sp_analysis_compare_region (a, b, "rec", SP_RANK_FIGURE_MEAN_TOTAL)));
  g_assert_true (isnan (sp_analysis_compare_region (a, b, "nope", SP_RANK_FIGURE_MEAN_TOTAL)));

  /* Strong scaling: 300 on the slowest rank → 200, over twice the ranks. */
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_speedup (a, b, "main", &efficiency), 1.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (efficiency, 0.75, 1e-12);
  g_assert_true (isnan (sp_analysis_get_region_speedup (a, b, "rec", &efficiency)));
  g_assert_true (isnan (efficiency));
}

static void
test_filtered (void)
{
  g_autoptr(SpSession) session = load_spec ("two", two_spec);
  const guint rank1[] = { 1 };
  g_autoptr(SpSession) filtered = sp_session_filter (session, NULL, NULL, rank1, 1, G_MININT64, G_MAXINT64);
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (filtered);
  guint main_ = region (filtered, "main");

  /* Only rank 1's lanes: 200 + 130. */
  g_assert_cmpint (sp_analysis_get_lane_time (analysis), ==, 330);
  g_assert_cmpint (sp_analysis_get_wall_time (analysis), ==, 200);
  g_assert_cmpfloat_with_epsilon (sp_analysis_get_region_share (analysis, main_), 200.0 / 330, 1e-12);
  g_assert_cmpfloat (sp_analysis_get_region_imbalance (analysis, main_), ==, 1.0);
}

static void
test_empty (void)
{
  g_autoptr(SpSession) session = load_spec ("empty", "{\"calls\": []}");
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);

  g_assert_cmpint (sp_analysis_get_wall_time (analysis), ==, 0);
  g_assert_cmpint (sp_analysis_get_lane_time (analysis), ==, 0);
  g_assert_cmpuint (sp_analysis_get_n_ranks (analysis), ==, 1);
}

/* Durations near the int64 range (hostile or damaged files): the sums
 * stop at G_MAXINT64 instead of overflowing (UBSan reported the overflow
 * on corpus/fuzz-export/analysis-total-overflow-*.h5). */
static void
test_huge_durations (void)
{
  g_autoptr(SpSession) session = load_spec ("huge",
    "{\"calls\": [[0,0,\"main\",0,9223372036854775807],[0,0,\"main\",0,9223372036854775807],"
    "[0,1,\"main\",4294967295,9223372036854775807]]}");
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);
  guint main_region = region (session, "main");

  g_assert_cmpint (sp_analysis_get_region_rank_total (analysis, main_region, 0), ==, G_MAXINT64);
  g_assert_cmpint (sp_analysis_get_lane_time (analysis), ==, G_MAXINT64);
  g_assert_cmpint (sp_analysis_get_region_covered_time (analysis, main_region), ==, G_MAXINT64);
  g_assert_cmpfloat (sp_analysis_get_region_share (analysis, main_region), <=, 1.0);
  g_assert_cmpfloat (sp_analysis_get_region_figure (analysis, main_region, SP_RANK_FIGURE_MEAN_TOTAL),
                     ==, (double) G_MAXINT64);
  g_assert_cmpfloat (sp_analysis_get_region_imbalance (analysis, main_region), ==, 1.0);
}

/* A lane whose first call starts far before the epoch and whose last call
 * ends far after it: its span and the rank's pass the int64 range and stop
 * at G_MAXINT64 (UBSan: corpus/fuzz-export/analysis-span-overflow.h5). */
static void
test_huge_spans (void)
{
  g_autoptr(SpSession) session = load_spec ("huge-spans",
    "{\"calls\": [[0,0,\"main\",-9223372036854251519,-9223372036854251000],"
    "[0,0,\"main\",0,25051272927248392]]}");
  g_autoptr(SpAnalysis) analysis = sp_analysis_new (session);

  g_assert_cmpint (sp_analysis_get_wall_time (analysis), ==, G_MAXINT64);
  g_assert_cmpint (sp_analysis_get_rank_span (analysis, 0), ==, G_MAXINT64);
  g_assert_cmpint (sp_analysis_get_lane_time (analysis), ==, G_MAXINT64);
  g_assert_cmpfloat (sp_analysis_get_region_share (analysis, region (session, "main")), <=, 1.0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("sp-test-analysis-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/analysis/spans", test_spans);
  g_test_add_func ("/analysis/share", test_share);
  g_test_add_func ("/analysis/share-whole-run", test_share_whole_run);
  g_test_add_func ("/analysis/imbalance", test_imbalance);
  g_test_add_func ("/analysis/compare", test_compare);
  g_test_add_func ("/analysis/filtered", test_filtered);
  g_test_add_func ("/analysis/empty", test_empty);
  g_test_add_func ("/analysis/huge-durations", test_huge_durations);
  g_test_add_func ("/analysis/huge-spans", test_huge_spans);

  ret = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);

  return ret;
}
