/* test-session.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sp-test-util.h"

/* Fixtures are written at start-up by fixtures/make-fixtures.py (h5py),
 * which also writes expected.ini: every value a reader must find, computed
 * there with numpy from the intervals it generated. */
static char *fixture_dir;
static GKeyFile *expected;

static char *
fixture (const char *name)
{
  return g_build_filename (fixture_dir, name, NULL);
}

static void
make_fixtures (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *err_out = NULL;
  g_autofree char *ini = NULL;
  int status = 0;

  script = g_test_build_filename (G_TEST_DIST, "fixtures", "make-fixtures.py", NULL);
  fixture_dir = g_dir_make_tmp ("sp-test-session-XXXXXX", &error);
  g_assert_no_error (error);

  {
    const char *argv[] = { "/usr/bin/python3", script, fixture_dir, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                       NULL, NULL, NULL, &err_out, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      g_error ("%s failed: %s\n%s", script, error->message, err_out ? err_out : "");
  }

  ini = fixture ("expected.ini");
  expected = g_key_file_new ();
  g_key_file_load_from_file (expected, ini, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
}

static void
remove_fixtures (void)
{
  g_autoptr(GDir) dir = g_dir_open (fixture_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = fixture (name);
      g_unlink (path);
    }
  g_rmdir (fixture_dir);
  g_clear_pointer (&fixture_dir, g_free);
  g_clear_pointer (&expected, g_key_file_unref);
}

static SpSession *
load (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture (name);
  SpSession *session;

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_true (sp_session_get_loaded (session));
  g_assert_cmpfloat (sp_session_get_progress (session), ==, 1.0);
  g_assert_cmpstr (sp_session_get_path (session), ==, path);

  return session;
}

static GArray *
get_i64_list (const char *group,
              const char *key)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) items = NULL;
  GArray *ret = g_array_new (FALSE, FALSE, sizeof (gint64));
  gsize n = 0;

  items = g_key_file_get_string_list (expected, group, key, &n, &error);
  if (error != NULL && g_error_matches (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE))
    return ret;  /* an empty list */
  g_assert_no_error (error);

  for (gsize i = 0; i < n; i++)
    {
      gint64 v;

      g_assert_true (g_ascii_string_to_signed (items[i], 10, G_MININT64, G_MAXINT64, &v, NULL));
      g_array_append_val (ret, v);
    }

  return ret;
}

static gint64
get_i64 (const char *group,
         const char *key)
{
  g_autoptr(GError) error = NULL;
  gint64 v = g_key_file_get_int64 (expected, group, key, &error);

  g_assert_no_error (error);

  return v;
}

static void
assert_close (double      value,
              double      want,
              const char *what)
{
  if (fabs (value - want) > 1e-9 * MAX (1.0, fabs (want)))
    g_error ("%s: got %.17g, numpy says %.17g", what, value, want);
}

static double
get_double (const char *group,
            const char *key)
{
  g_autoptr(GError) error = NULL;
  double v = g_key_file_get_double (expected, group, key, &error);

  g_assert_no_error (error);

  return v;
}

static void
check_stats (SpRegionStats *stats,
             const char    *group)
{
  g_assert_nonnull (stats);
  g_assert_cmpuint (sp_region_stats_get_count (stats), ==, get_i64 (group, "count"));
  g_assert_cmpint (sp_region_stats_get_total (stats), ==, get_i64 (group, "total"));
  g_assert_cmpint (sp_region_stats_get_self_time (stats), ==, get_i64 (group, "self"));

  if (sp_region_stats_get_count (stats) == 0)
    {
      g_assert_cmpfloat (sp_region_stats_get_mean (stats), ==, 0.0);
      return;
    }

  g_assert_cmpint (sp_region_stats_get_min (stats), ==, get_i64 (group, "min"));
  g_assert_cmpint (sp_region_stats_get_max (stats), ==, get_i64 (group, "max"));
  assert_close (sp_region_stats_get_mean (stats), get_double (group, "mean"), group);
  assert_close (sp_region_stats_get_stddev (stats), get_double (group, "std"), group);
  assert_close (sp_region_stats_get_median (stats), get_double (group, "median"), group);
  assert_close (sp_region_stats_get_p90 (stats), get_double (group, "p90"), group);
  assert_close (sp_region_stats_get_p99 (stats), get_double (group, "p99"), group);
}

static void
assert_i64_array_equal (const gint64 *values,
                        gsize         n,
                        GArray       *want,
                        const char   *what)
{
  if (n != want->len)
    g_error ("%s: %" G_GSIZE_FORMAT " values, expected %u", what, n, want->len);

  for (gsize i = 0; i < n; i++)
    {
      if (values[i] != g_array_index (want, gint64, i))
        g_error ("%s[%" G_GSIZE_FORMAT "]: %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                 what, i, values[i], g_array_index (want, gint64, i));
    }
}

static void
check_metadata (SpSession  *session,
                const char *file)
{
  g_autofree char *group = g_strdup_printf ("file:%s/metadata", file);
  g_auto(GStrv) keys = g_key_file_get_keys (expected, group, NULL, NULL);
  g_auto(GStrv) got = sp_session_list_metadata_keys (session);

  g_assert_cmpuint (g_strv_length (got), ==, g_strv_length (keys));

  for (guint i = 0; keys[i]; i++)
    {
      const char *key = keys[i] + 2;
      g_autoptr(GVariant) value = sp_session_get_metadata (session, key);

      g_assert_true (g_strv_contains ((const char * const *) got, key));
      g_assert_nonnull (value);

      if (g_str_has_prefix (keys[i], "s."))
        {
          g_autofree char *want = g_key_file_get_string (expected, group, keys[i], NULL);
          gint64 dummy;

          g_assert_cmpstr (sp_session_get_metadata_string (session, key), ==, want);
          g_assert_false (sp_session_get_metadata_int (session, key, &dummy));
        }
      else if (g_str_has_prefix (keys[i], "i."))
        {
          gint64 v = 0;

          g_assert_true (sp_session_get_metadata_int (session, key, &v));
          g_assert_cmpint (v, ==, get_i64 (group, keys[i]));
          g_assert_null (sp_session_get_metadata_string (session, key));
        }
      else if (g_str_has_prefix (keys[i], "d."))
        {
          double v = 0;

          g_assert_true (sp_session_get_metadata_double (session, key, &v));
          g_assert_cmpfloat (v, ==, get_double (group, keys[i]));
        }
      else
        g_assert_not_reached ();
    }

  g_assert_null (sp_session_get_metadata_string (session, "no-such-key"));
  g_assert_null (sp_session_get_metadata (session, "no-such-key"));
}

static void check_invariants (SpSession *session);

static void
check_file (gconstpointer data)
{
  const char *file = data;
  g_autofree char *group = g_strdup_printf ("file:%s", file);
  SpSession *session = load (file);
  g_autoptr(GArray) ranks = get_i64_list (group, "ranks");
  const guint *got_ranks;
  guint n_ranks = 0;
  guint n_regions;

  g_assert_cmpint (sp_session_get_schema (session), ==, get_i64 (group, "schema"));
  n_regions = sp_session_get_n_regions (session);
  g_assert_cmpuint (n_regions, ==, get_i64 (group, "n_regions"));
  g_assert_cmpuint (sp_session_get_n_lanes (session), ==, get_i64 (group, "n_lanes"));
  g_assert_cmpuint (sp_session_get_n_overlaps (session), ==, get_i64 (group, "n_overlaps"));

  check_metadata (session, file);

  /* Ranks and threads */
  got_ranks = sp_session_get_ranks (session, &n_ranks);
  g_assert_cmpuint (n_ranks, ==, ranks->len);
  for (guint i = 0; i < n_ranks; i++)
    {
      g_autofree char *rgroup = g_strdup_printf ("%s/rank:%u", group, got_ranks[i]);
      g_autoptr(GArray) threads = get_i64_list (rgroup, "threads");
      const gint64 *got_threads;
      guint n_threads = 0;

      g_assert_cmpint (got_ranks[i], ==, g_array_index (ranks, gint64, i));

      got_threads = sp_session_get_threads (session, got_ranks[i], &n_threads);
      assert_i64_array_equal (got_threads, n_threads, threads, rgroup);

      for (guint j = 0; j < n_threads; j++)
        {
          g_autofree char *native_key = g_strdup_printf ("native.%" G_GINT64_FORMAT, got_threads[j]);
          g_autofree char *name_key = g_strdup_printf ("name.%" G_GINT64_FORMAT, got_threads[j]);
          g_autofree char *name = g_key_file_get_string (expected, rgroup, name_key, NULL);

          g_assert_cmpint (sp_session_get_thread_native_id (session, got_ranks[i], got_threads[j]), ==,
                           get_i64 (rgroup, native_key));
          g_assert_cmpstr (sp_session_get_thread_name (session, got_ranks[i], got_threads[j]), ==, name);
        }
    }

  /* Regions and their statistics */
  for (guint i = 0; i < n_regions; i++)
    {
      g_autofree char *rgroup = g_strdup_printf ("%s/region:%u", group, i);
      g_autofree char *name = g_key_file_get_string (expected, rgroup, "name", NULL);
      g_auto(GStrv) tags = g_key_file_get_string_list (expected, rgroup, "tags", NULL, NULL);
      g_autofree char *source_file = g_key_file_get_string (expected, rgroup, "source_file", NULL);
      g_autofree char *source_text = g_key_file_get_string (expected, rgroup, "source_text", NULL);
      g_autoptr(SpRegionStats) stats = NULL;
      guint found = G_MAXUINT;

      g_assert_cmpstr (sp_session_get_region_name (session, i), ==, name);
      g_assert_true (sp_session_lookup_region (session, name, &found));
      g_assert_cmpuint (found, ==, i);

      if (tags != NULL)
        g_assert_cmpstrv (sp_session_get_region_tags (session, i), tags);
      else
        g_assert_null (sp_session_get_region_tags (session, i));
      g_assert_cmpstr (sp_session_get_region_source_file (session, i), ==, source_file);
      g_assert_cmpstr (sp_session_get_region_source_text (session, i), ==, source_text);
      if (g_key_file_has_key (expected, rgroup, "source_line", NULL))
        g_assert_cmpint (sp_session_get_region_source_line (session, i), ==, get_i64 (rgroup, "source_line"));
      else
        g_assert_cmpint (sp_session_get_region_source_line (session, i), ==, -1);

      stats = sp_session_get_region_stats (session, i);
      check_stats (stats, rgroup);

      for (guint r = 0; r < n_ranks; r++)
        {
          g_autofree char *rrgroup = g_strdup_printf ("%s/rank:%u", rgroup, got_ranks[r]);
          g_autoptr(SpRegionStats) rstats = sp_session_get_region_stats_for_rank (session, i, got_ranks[r]);

          check_stats (rstats, rrgroup);
        }
    }

  g_assert_false (sp_session_lookup_region (session, "no such region", NULL));
  check_invariants (session);

  /* Lanes: nesting, and each region's intervals on each lane */
  for (guint lane = 0; lane < sp_session_get_n_lanes (session); lane++)
    {
      guint rank = sp_session_get_lane_rank (session, lane);
      gint64 thread = sp_session_get_lane_thread (session, lane);
      g_autofree char *lgroup = g_strdup_printf ("%s/lane:%u:%" G_GINT64_FORMAT, group, rank, thread);
      g_autoptr(GArray) regions = get_i64_list (lgroup, "regions");
      g_autoptr(GArray) starts = get_i64_list (lgroup, "starts");
      g_autoptr(GArray) ends = get_i64_list (lgroup, "ends");
      g_autoptr(GArray) depths = get_i64_list (lgroup, "depths");
      g_autoptr(GArray) parents = get_i64_list (lgroup, "parents");
      const guint32 *l_regions;
      const gint64 *l_starts;
      const gint64 *l_ends;
      const guint32 *l_depths;
      const gint64 *l_parents;
      g_autofree gint64 *wide_regions = NULL;
      g_autofree gint64 *wide_depths = NULL;
      guint found = G_MAXUINT;
      gsize n;

      g_assert_true (g_key_file_has_group (expected, lgroup));
      g_assert_true (sp_session_lookup_lane (session, rank, thread, &found));
      g_assert_cmpuint (found, ==, lane);

      n = sp_session_peek_lane (session, lane, &l_regions, &l_starts, &l_ends, &l_depths, &l_parents);
      wide_regions = g_new (gint64, MAX (n, 1));
      wide_depths = g_new (gint64, MAX (n, 1));
      for (gsize j = 0; j < n; j++)
        {
          wide_regions[j] = l_regions[j];
          wide_depths[j] = l_depths[j];
        }

      assert_i64_array_equal (wide_regions, n, regions, "lane regions");
      assert_i64_array_equal (l_starts, n, starts, "lane starts");
      assert_i64_array_equal (l_ends, n, ends, "lane ends");
      assert_i64_array_equal (wide_depths, n, depths, "lane depths");
      assert_i64_array_equal (l_parents, n, parents, "lane parents");
      g_assert_cmpuint (sp_session_get_lane_n_overlaps (session, lane), ==, get_i64 (lgroup, "n_overlaps"));

      for (guint i = 0; i < n_regions; i++)
        {
          g_autofree char *skey = g_strdup_printf ("series.%u.starts", i);
          g_autofree char *ekey = g_strdup_printf ("series.%u.ends", i);
          const gint64 *s_starts = NULL;
          const gint64 *s_ends = NULL;
          gsize s_n = 0;
          gboolean has = sp_session_peek_intervals (session, i, rank, thread, &s_starts, &s_ends, &s_n);

          if (g_key_file_has_key (expected, lgroup, skey, NULL))
            {
              g_autoptr(GArray) want_starts = get_i64_list (lgroup, skey);
              g_autoptr(GArray) want_ends = get_i64_list (lgroup, ekey);

              g_assert_true (has);
              assert_i64_array_equal (s_starts, s_n, want_starts, skey);
              assert_i64_array_equal (s_ends, s_n, want_ends, ekey);
            }
          else
            {
              g_assert_false (has);
              g_assert_cmpuint (s_n, ==, 0);
            }
        }
    }

  g_assert_finalize_object (session);
}

static void
test_nested_python_names (void)
{
  SpSession *session = load ("python-schema1.h5");
  guint io;
  guint io_read;

  /* "io/read" was written by the Python package as group read inside
   * group io, which is a region of its own too. */
  g_assert_true (sp_session_lookup_region (session, "io", &io));
  g_assert_true (sp_session_lookup_region (session, "io/read", &io_read));
  g_assert_false (sp_session_lookup_region (session, "read", NULL));
  /* "mpi" is only a path prefix; its "start_times" is a group. */
  g_assert_true (sp_session_lookup_region (session, "mpi/start_times", NULL));
  g_assert_false (sp_session_lookup_region (session, "mpi", NULL));
  g_assert_false (sp_session_lookup_region (session, "likwid", NULL));
  g_assert_false (sp_session_lookup_region (session, "CLOCK", NULL));

  g_assert_finalize_object (session);
}

static void
test_native_names (void)
{
  SpSession *session = load ("native-schema1.h5");
  static const char *names[] = { "a/b", "100%", ".", "%2F", "ünïcode ✓", "plain" };

  /* Our files escape names in group names and keep the exact name. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_true (sp_session_lookup_region (session, names[i], NULL));
  g_assert_false (sp_session_lookup_region (session, "a%2Fb", NULL));
  g_assert_false (sp_session_lookup_region (session, "%2E", NULL));

  g_assert_cmpstr (sp_session_get_thread_name (session, 3, 7), ==, "idle thread");
  g_assert_false (sp_session_lookup_lane (session, 3, 7, NULL));
  g_assert_null (sp_session_get_thread_name (session, 3, 2));
  g_assert_cmpint (sp_session_get_thread_native_id (session, 3, 2), ==, 5254);
  g_assert_cmpint (sp_session_get_thread_native_id (session, 99, 0), ==, -1);

  g_assert_finalize_object (session);
}

static void
test_overlaps (void)
{
  SpSession *session = load ("python-schema1.h5");
  const gint64 *starts;
  const guint32 *depths;
  const gint64 *parents;
  guint lane;
  gsize n;

  /* Two threads ran "worker" in a file without thread ids. */
  g_assert_true (sp_session_lookup_lane (session, 2, SP_SESSION_THREAD_UNKNOWN, &lane));
  g_assert_cmpuint (sp_session_get_lane_n_overlaps (session, lane), ==, 1);
  g_assert_cmpuint (sp_session_get_n_overlaps (session), ==, 1);

  n = sp_session_peek_lane (session, lane, NULL, &starts, NULL, &depths, &parents);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpint (starts[1], ==, 5050);
  g_assert_cmpuint (depths[1], ==, 0);
  g_assert_cmpint (parents[1], ==, -1);
  g_assert_cmpuint (depths[3], ==, 1);
  g_assert_cmpint (parents[3], ==, 2);

  g_assert_finalize_object (session);
}

static void
test_empty (void)
{
  SpSession *session = load ("empty.h5");
  guint n_ranks = 1;
  g_auto(GStrv) keys = NULL;

  g_assert_cmpint (sp_session_get_schema (session), ==, 1);
  g_assert_cmpuint (sp_session_get_n_regions (session), ==, 0);
  g_assert_cmpuint (sp_session_get_n_lanes (session), ==, 0);
  g_assert_null (sp_session_get_ranks (session, &n_ranks));
  g_assert_cmpuint (n_ranks, ==, 0);
  g_assert_cmpint (sp_session_get_start_time (session), ==, 0);
  g_assert_cmpint (sp_session_get_end_time (session), ==, 0);
  keys = sp_session_list_metadata_keys (session);
  g_assert_cmpuint (g_strv_length (keys), ==, 0);

  g_assert_finalize_object (session);
}

static void
test_links (void)
{
  SpSession *session = load ("links.h5");
  g_autoptr(SpRegionStats) stats = NULL;

  g_assert_cmpuint (sp_session_get_n_regions (session), ==, 1);
  g_assert_cmpstr (sp_session_get_region_name (session, 0), ==, "main");
  stats = sp_session_get_region_stats (session, 0);
  g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 2);
  g_assert_cmpint (sp_region_stats_get_total (stats), ==, 15);

  g_assert_finalize_object (session);
}

static void
test_bad_files (void)
{
  g_auto(GStrv) groups = g_key_file_get_groups (expected, NULL);
  guint n_checked = 0;

  for (guint i = 0; groups[i]; i++)
    {
      const char *name;
      g_autofree char *path = NULL;
      g_auto(GStrv) needles = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;

      if (!g_str_has_prefix (groups[i], "error:"))
        continue;

      name = groups[i] + strlen ("error:");
      path = fixture (name);
      needles = g_key_file_get_string_list (expected, groups[i], "contains", NULL, NULL);

      g_test_message ("loading %s", name);
      session = sp_session_new_from_file (path, NULL, &error);
      g_assert_null (session);
      g_assert_nonnull (error);
      g_test_message ("  %s", error->message);

      g_assert_error (error, SP_ERROR, get_i64 (groups[i], "code"));
      /* The message names the file... */
      g_assert_nonnull (strstr (error->message, path));
      /* ...and says what is wrong, and where. */
      for (guint j = 0; needles[j]; j++)
        {
          if (strstr (error->message, needles[j]) == NULL)
            g_error ("%s: “%s” does not mention “%s”", name, error->message, needles[j]);
        }

      n_checked++;
    }

  g_assert_cmpuint (n_checked, >=, 25);
}

/* Whatever a loaded session holds must be self-consistent. */
static void
check_invariants (SpSession *session)
{
  guint64 n_stats = 0;
  guint64 n_lanes = 0;
  guint64 n_overlaps = 0;

  for (guint i = 0; i < sp_session_get_n_regions (session); i++)
    {
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, i);

      n_stats += sp_region_stats_get_count (stats);
      if (sp_region_stats_get_count (stats) > 0)
        {
          g_assert_cmpint (sp_region_stats_get_min (stats), >=, 0);
          g_assert_cmpint (sp_region_stats_get_min (stats), <=, sp_region_stats_get_max (stats));
          g_assert_cmpfloat (sp_region_stats_get_median (stats), <=, sp_region_stats_get_p90 (stats));
          g_assert_cmpfloat (sp_region_stats_get_p90 (stats), <=, sp_region_stats_get_p99 (stats));
        }
    }

  for (guint lane = 0; lane < sp_session_get_n_lanes (session); lane++)
    {
      const guint32 *regions;
      const gint64 *starts;
      const gint64 *ends;
      const guint32 *depths;
      const gint64 *parents;
      gsize n = sp_session_peek_lane (session, lane, &regions, &starts, &ends, &depths, &parents);

      n_lanes += n;
      n_overlaps += sp_session_get_lane_n_overlaps (session, lane);

      for (gsize j = 0; j < n; j++)
        {
          g_assert_cmpuint (regions[j], <, sp_session_get_n_regions (session));
          g_assert_cmpint (starts[j], <=, ends[j]);
          if (j > 0)
            g_assert_cmpint (starts[j - 1], <=, starts[j]);
          if (parents[j] < 0)
            {
              g_assert_cmpuint (depths[j], ==, 0);
              continue;
            }
          g_assert_cmpint (parents[j], <, (gint64) j);
          g_assert_cmpuint (depths[j], ==, depths[parents[j]] + 1);
          g_assert_cmpint (starts[parents[j]], <=, starts[j]);
          g_assert_cmpint (ends[parents[j]], >=, ends[j]);
        }
    }

  g_assert_cmpuint (n_stats, ==, n_lanes);
  g_assert_cmpuint (n_overlaps, ==, sp_session_get_n_overlaps (session));
}

/* Corrupts the integer columns of a file in place, many times: every
 * result is a consistent session or a clean error. (Corrupting HDF5's own
 * structures is not done here: libhdf5 1.10 itself crashes on some of
 * those.) */
static void
test_corrupt_values (void)
{
  g_autofree char *path = fixture ("fuzz-schema3.h5");
  g_autofree char *out = fixture ("fuzz-one.h5");
  g_auto(GStrv) ranges = g_key_file_get_string_list (expected, "fuzz", "ranges", NULL, NULL);
  g_autofree char *data = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261125);
  gsize len = 0;
  guint n_ok = 0;
  guint n_bad = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_nonnull (ranges);
  g_assert_cmpuint (g_strv_length (ranges), >=, 6);

  for (guint it = 0; it < 300; it++)
    {
      g_autofree char *copy = g_memdup2 (data, len);
      g_autoptr(GError) error = NULL;
      SpSession *session;
      guint n_changes = g_rand_int_range (rand, 1, 6);

      for (guint k = 0; k < n_changes; k++)
        {
          const char *range = ranges[g_rand_int_range (rand, 0, g_strv_length (ranges))];
          guint64 offset = g_ascii_strtoull (range, NULL, 10);
          guint64 size = g_ascii_strtoull (strchr (range, ':') + 1, NULL, 10);

          g_assert_cmpuint (offset + size, <=, len);
          if (size > 0)
            copy[offset + (guint64) g_rand_int_range (rand, 0, (gint32) size)] = (char) g_rand_int_range (rand, 0, 256);
        }

      g_assert_true (g_file_set_contents (out, copy, len, NULL));

      session = sp_session_new_from_file (out, NULL, &error);
      if (session != NULL)
        {
          g_assert_no_error (error);
          check_invariants (session);
          g_assert_finalize_object (session);
          n_ok++;
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == SP_ERROR);
          n_bad++;
        }
    }

  g_test_message ("%u loaded, %u refused", n_ok, n_bad);
  g_assert_cmpuint (n_bad, >, 0);
}

static void
write_i64 (hid_t         loc,
           const char   *name,
           const gint64 *values,
           hsize_t       n)
{
  hid_t space = H5Screate_simple (1, &n, NULL);
  hid_t dset = H5Dcreate2 (loc, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);

  g_assert_cmpint (dset, >=, 0);
  g_assert_cmpint (H5Dwrite (dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), >=, 0);
  H5Dclose (dset);
  H5Sclose (space);
}

/* Files in HDF5's latest format (h5py with libver="latest") keep groups of
 * more than 8 links in dense storage, which HDF5 lists in hash order: the
 * reader sorts the names itself, so that such files read as any other. */
#define N_DENSE_REGIONS 3000

static void
test_dense_groups (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "dense.h5", NULL);
  g_autoptr(GError) error = NULL;
  SpSession *session;
  hid_t fapl, lcpl, file, regions;
  H5G_info_t ginfo;
  guint index;

  fapl = H5Pcreate (H5P_FILE_ACCESS);
  H5Pset_libver_bounds (fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  lcpl = H5Pcreate (H5P_LINK_CREATE);
  H5Pset_create_intermediate_group (lcpl, 1);
  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  g_assert_cmpint (file, >=, 0);
  regions = H5Gcreate2 (file, "rank0/regions", lcpl, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (regions, >=, 0);

  for (guint i = 0; i < N_DENSE_REGIONS; i++)
    {
      g_autofree char *name = g_strdup_printf ("region %u", i);
      gint64 starts[3], ends[3];
      hid_t group;

      for (guint j = 0; j < 1 + i % 3; j++)
        {
          starts[j] = 1000 * (gint64) i + 100 * j;
          ends[j] = starts[j] + 1 + i % 5;
        }

      group = H5Gcreate2 (regions, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      g_assert_cmpint (group, >=, 0);
      write_i64 (group, "start_times", starts, 1 + i % 3);
      write_i64 (group, "end_times", ends, 1 + i % 3);
      H5Gclose (group);
    }

  /* One group under two names is read once, under the name that comes
   * first in name order, whatever order HDF5 lists them in. */
  g_assert_cmpint (H5Lcreate_hard (regions, "region 5", regions, "alias of 5", H5P_DEFAULT, H5P_DEFAULT), >=, 0);

  g_assert_cmpint (H5Gget_info (regions, &ginfo), >=, 0);
  g_assert_cmpint (ginfo.storage_type, ==, H5G_STORAGE_TYPE_DENSE);

  H5Gclose (regions);
  H5Fclose (file);
  H5Pclose (lcpl);
  H5Pclose (fapl);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sp_session_get_n_regions (session), ==, N_DENSE_REGIONS);
  g_assert_false (sp_session_lookup_region (session, "region 5", &index));

  for (guint i = 0; i < N_DENSE_REGIONS; i++)
    {
      g_autofree char *name = i == 5 ? g_strdup ("alias of 5") : g_strdup_printf ("region %u", i);
      g_autoptr(SpRegionStats) stats = NULL;

      if (!sp_session_lookup_region (session, name, &index))
        g_error ("region “%s” was not read back", name);
      stats = sp_session_get_region_stats (session, index);
      g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 1 + i % 3);
      g_assert_cmpint (sp_region_stats_get_total (stats), ==, (gint64) (1 + i % 3) * (1 + i % 5));
    }

  check_invariants (session);
  g_assert_finalize_object (session);
}

/* A rank group without regions (a rank that recorded nothing) is not a
 * rank with data, but it is one of the file's ranks. */
static void
test_file_ranks (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "ranks.h5", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(SpSession) filtered = NULL;
  const gint64 starts[] = { 10, 20 };
  const gint64 ends[] = { 15, 30 };
  g_autoptr(SpRegionStats) stats = NULL;
  const guint keep[] = { 3 };
  const guint keep_0[] = { 0 };
  const guint *ranks;
  guint region = 0;
  guint n = 0;
  hid_t lcpl, file, group;

  lcpl = H5Pcreate (H5P_LINK_CREATE);
  H5Pset_create_intermediate_group (lcpl, 1);
  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (file, >=, 0);
  group = H5Gcreate2 (file, "rank1/regions/main", lcpl, H5P_DEFAULT, H5P_DEFAULT);
  write_i64 (group, "start_times", starts, 2);
  write_i64 (group, "end_times", ends, 2);
  H5Gclose (group);
  H5Gclose (H5Gcreate2 (file, "rank3", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  /* Rank 0 has "idle", with empty datasets; rank 1 calls it. */
  group = H5Gcreate2 (file, "rank0/regions/idle", lcpl, H5P_DEFAULT, H5P_DEFAULT);
  write_i64 (group, "start_times", starts, 0);
  write_i64 (group, "end_times", ends, 0);
  H5Gclose (group);
  group = H5Gcreate2 (file, "rank1/regions/idle", lcpl, H5P_DEFAULT, H5P_DEFAULT);
  write_i64 (group, "start_times", starts, 1);
  write_i64 (group, "end_times", ends, 1);
  H5Gclose (group);
  H5Gclose (H5Gcreate2 (file, "not-a-rank", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Fclose (file);
  H5Pclose (lcpl);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);

  ranks = sp_session_get_ranks (session, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ranks[0], ==, 1);

  ranks = sp_session_get_file_ranks (session, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (ranks[0], ==, 0);
  g_assert_cmpuint (ranks[1], ==, 1);
  g_assert_cmpuint (ranks[2], ==, 3);

  /* A region on ranks where it has no intervals */
  g_assert_true (sp_session_lookup_region (session, "idle", &region));
  ranks = sp_session_get_region_file_ranks (session, region, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (ranks[0], ==, 0);
  g_assert_cmpuint (ranks[1], ==, 1);
  stats = sp_session_get_region_stats_for_rank (session, region, 0);
  g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 0);
  g_assert_true (sp_session_lookup_region (session, "main", &region));
  ranks = sp_session_get_region_file_ranks (session, region, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ranks[0], ==, 1);

  /* A filter keeps the empty ranks it keeps */
  filtered = sp_session_filter (session, NULL, NULL, keep, G_N_ELEMENTS (keep), G_MININT64, G_MAXINT64);
  ranks = sp_session_get_file_ranks (filtered, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ranks[0], ==, 3);
  sp_session_get_ranks (filtered, &n);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (sp_session_get_n_regions (filtered), ==, 2);
  g_assert_true (sp_session_lookup_region (filtered, "idle", &region));
  sp_session_get_region_file_ranks (filtered, region, &n);
  g_assert_cmpuint (n, ==, 0);

  /* ... and the regions' empty ranks */
  g_clear_object (&filtered);
  filtered = sp_session_filter (session, NULL, NULL, keep_0, G_N_ELEMENTS (keep_0), G_MININT64, G_MAXINT64);
  g_assert_true (sp_session_lookup_region (filtered, "idle", &region));
  ranks = sp_session_get_region_file_ranks (filtered, region, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (ranks[0], ==, 0);
}

/* Inputs that crashed, leaked or tripped UBSan inside the reader, kept in
 * the fuzz corpus (tests/fuzz/README.md): now each is a clean error, or a
 * session where the file is sound. Run under valgrind, this also checks
 * that nothing leaks on the way out. */
static void
test_fuzz_regressions (void)
{
  static const struct { const char *name; const char *where; } inputs[] = {
    /* Groups in dense link storage with a damaged link message: listing
     * them by index crashed inside libhdf5. */
    { "reader-dense-links-damaged-1.h5", ": /: " },
    { "reader-dense-links-damaged-2.h5", ": /: " },
    { "reader-dense-links-damaged-3.h5", ": /: " },
    { "reader-dense-links-damaged-4.h5", ": /: " },
    { "reader-dense-links-damaged-5.h5", ": /: " },
    /* A variable-length string column whose read fails half way. */
    { "reader-vlen-read-failure-leak.h5", "/rank_region_index/tags: " },
    /* Regions, and not one interval (a counting-only session). */
    { "reader-regions-without-intervals.h5", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;

      path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", "fuzz-session", inputs[i].name, NULL);
      g_test_message ("loading %s", inputs[i].name);

      session = sp_session_new_from_file (path, NULL, &error);
      if (inputs[i].where == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (sp_session_get_n_regions (session), >, 0);
          check_invariants (session);
          continue;
        }

      g_assert_null (session);
      g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
      g_test_message ("  %s", error->message);
      g_assert_nonnull (strstr (error->message, inputs[i].where));
    }
}

/* Statistics of intervals that come from no session: the same numbers
 * numpy gives (population standard deviation, linear percentiles). */
static void
test_stats_for_intervals (void)
{
  const gint64 starts[] = { 0, 5, 100, 3 };
  const gint64 ends[] = { 10, 7, 130, 3 };
  g_autoptr(SpRegionStats) stats = NULL;
  g_autoptr(SpRegionStats) empty = NULL;

  stats = sp_region_stats_new_for_intervals (starts, ends, G_N_ELEMENTS (starts));
  g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 4);
  g_assert_cmpint (sp_region_stats_get_total (stats), ==, 42);
  g_assert_cmpint (sp_region_stats_get_self_time (stats), ==, 42);
  g_assert_cmpint (sp_region_stats_get_min (stats), ==, 0);
  g_assert_cmpint (sp_region_stats_get_max (stats), ==, 30);
  g_assert_cmpfloat_with_epsilon (sp_region_stats_get_mean (stats), 10.5, 1e-12);
  /* sqrt (((-0.5)^2 + (-8.5)^2 + 19.5^2 + (-10.5)^2) / 4) */
  g_assert_cmpfloat_with_epsilon (sp_region_stats_get_stddev (stats), sqrt (563.0 / 4.0), 1e-12);
  g_assert_cmpfloat_with_epsilon (sp_region_stats_get_median (stats), 6.0, 1e-12);
  /* The caller's arrays are left as they were. */
  g_assert_cmpint (starts[2], ==, 100);
  g_assert_cmpint (ends[0], ==, 10);

  empty = sp_region_stats_new_for_intervals (NULL, NULL, 0);
  g_assert_cmpuint (sp_region_stats_get_count (empty), ==, 0);
  g_assert_cmpint (sp_region_stats_get_total (empty), ==, 0);
  g_assert_cmpfloat (sp_region_stats_get_stddev (empty), ==, 0.0);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture ("does-not-exist.h5");
  SpSession *session = sp_session_new ();

  g_assert_false (sp_session_load (session, path, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (sp_session_get_loaded (session));
  g_clear_error (&error);

  /* A failed load may be retried. */
  g_free (path);
  path = fixture ("python-schema2.h5");
  g_assert_true (sp_session_load (session, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (sp_session_get_loaded (session));

  g_clear_error (&error);
  g_assert_null (sp_session_new_from_file (fixture_dir, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);

  g_assert_finalize_object (session);
}

/* The worker thread of a GTask drops its reference a little after the
 * callback ran, so the last reference may go away in that thread. */
static void
assert_finalized_soon (SpSession *session)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_object_unref (session);

  while (g_atomic_pointer_get (&session) != NULL && g_get_monotonic_time () < deadline)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }

  g_assert_null (g_atomic_pointer_get (&session));
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  GArray       *progress;
  guint         n_loaded;
} AsyncState;

static void
on_progress (SpSession  *session,
             GParamSpec *pspec,
             AsyncState *state)
{
  double p = sp_session_get_progress (session);

  g_array_append_val (state->progress, p);
}

static void
on_loaded (SpSession  *session,
           GParamSpec *pspec,
           AsyncState *state)
{
  state->n_loaded++;
}

static void
on_ready (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  AsyncState *state = user_data;

  state->result = g_object_ref (result);
  g_main_loop_quit (state->loop);
}

static void
test_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture ("big-schema3.h5");
  AsyncState state = { 0 };
  SpSession *session = sp_session_new ();
  guint64 n_events = 0;

  state.loop = g_main_loop_new (NULL, FALSE);
  state.progress = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (session, "notify::progress", G_CALLBACK (on_progress), &state);
  g_signal_connect (session, "notify::loaded", G_CALLBACK (on_loaded), &state);

  sp_session_load_async (session, path, NULL, on_ready, &state);
  g_assert_false (sp_session_get_loaded (session));
  g_main_loop_run (state.loop);

  g_assert_true (sp_session_load_finish (session, state.result, &error));
  g_assert_no_error (error);
  g_assert_true (sp_session_get_loaded (session));
  g_assert_cmpuint (state.n_loaded, ==, 1);

  /* Progress moved forward, in steps, to 1. */
  g_assert_cmpuint (state.progress->len, >=, 3);
  for (guint i = 1; i < state.progress->len; i++)
    g_assert_cmpfloat (g_array_index (state.progress, double, i), >, g_array_index (state.progress, double, i - 1));
  g_assert_cmpfloat (g_array_index (state.progress, double, state.progress->len - 1), ==, 1.0);
  g_assert_cmpfloat (sp_session_get_progress (session), ==, 1.0);

  for (guint i = 0; i < sp_session_get_n_regions (session); i++)
    {
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, i);
      n_events += sp_region_stats_get_count (stats);
    }
  g_assert_cmpuint (n_events, ==, get_i64 ("big", "n_events"));

  /* Late progress updates from the thread cannot move it back. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpfloat (sp_session_get_progress (session), ==, 1.0);

  g_clear_object (&state.result);
  g_main_loop_unref (state.loop);
  g_array_unref (state.progress);
  assert_finalized_soon (session);
}

static void
test_sync_progress (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture ("big-schema3.h5");
  AsyncState state = { 0 };
  SpSession *session = sp_session_new ();

  state.progress = g_array_new (FALSE, FALSE, sizeof (double));
  g_signal_connect (session, "notify::progress", G_CALLBACK (on_progress), &state);
  g_signal_connect (session, "notify::loaded", G_CALLBACK (on_loaded), &state);

  g_assert_true (sp_session_load (session, path, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (state.n_loaded, ==, 1);
  g_assert_cmpuint (state.progress->len, >=, 3);
  for (guint i = 1; i < state.progress->len; i++)
    g_assert_cmpfloat (g_array_index (state.progress, double, i), >, g_array_index (state.progress, double, i - 1));
  g_assert_cmpfloat (g_array_index (state.progress, double, state.progress->len - 1), ==, 1.0);

  g_array_unref (state.progress);
  g_assert_finalize_object (session);
}

static void
test_async_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture ("offsets.h5");
  AsyncState state = { 0 };
  SpSession *session = sp_session_new ();

  state.loop = g_main_loop_new (NULL, FALSE);
  sp_session_load_async (session, path, NULL, on_ready, &state);
  g_main_loop_run (state.loop);

  g_assert_false (sp_session_load_finish (session, state.result, &error));
  g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
  g_assert_false (sp_session_get_loaded (session));
  g_assert_cmpint (sp_session_get_schema (session), ==, 0);

  g_clear_object (&state.result);
  g_main_loop_unref (state.loop);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_finalized_soon (session);
}

static void
test_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = fixture ("big-schema3.h5");
  AsyncState state = { 0 };
  SpSession *session;

  g_cancellable_cancel (cancellable);

  session = sp_session_new ();
  g_assert_false (sp_session_load (session, path, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  state.loop = g_main_loop_new (NULL, FALSE);
  sp_session_load_async (session, path, cancellable, on_ready, &state);
  g_main_loop_run (state.loop);
  g_assert_false (sp_session_load_finish (session, state.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (sp_session_get_loaded (session));

  g_clear_object (&state.result);
  g_main_loop_unref (state.loop);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  assert_finalized_soon (session);
}

static void
test_bytes (void)
{
  SpSession *session = load ("python-schema3.h5");
  g_autoptr(GBytes) starts = NULL;
  g_autoptr(GBytes) ends = NULL;
  g_autoptr(GBytes) empty = NULL;
  g_autoptr(GBytes) depths = NULL;
  g_autoptr(GBytes) parents = NULL;
  const gint64 *p_starts;
  const gint64 *p_ends;
  const guint32 *p_depths;
  const gint64 *p_parents;
  gsize n = 0;
  gsize lane_n;
  guint solve;
  guint lane;

  g_assert_true (sp_session_lookup_region (session, "solve", &solve));
  g_assert_true (sp_session_peek_intervals (session, solve, 0, 0, &p_starts, &p_ends, &n));
  g_assert_cmpuint (n, >, 0);

  starts = sp_session_get_start_times (session, solve, 0, 0);
  ends = sp_session_get_end_times (session, solve, 0, 0);
  g_assert_cmpmem (g_bytes_get_data (starts, NULL), g_bytes_get_size (starts), p_starts, n * sizeof (gint64));
  g_assert_cmpmem (g_bytes_get_data (ends, NULL), g_bytes_get_size (ends), p_ends, n * sizeof (gint64));

  empty = sp_session_get_start_times (session, solve, 42, 0);
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 0);

  g_assert_true (sp_session_lookup_lane (session, 1, SP_SESSION_THREAD_UNKNOWN, &lane));
  lane_n = sp_session_peek_lane (session, lane, NULL, NULL, NULL, &p_depths, &p_parents);
  depths = sp_session_get_lane_depths (session, lane);
  parents = sp_session_get_lane_parents (session, lane);
  g_assert_cmpmem (g_bytes_get_data (depths, NULL), g_bytes_get_size (depths), p_depths, lane_n * sizeof (guint32));
  g_assert_cmpmem (g_bytes_get_data (parents, NULL), g_bytes_get_size (parents), p_parents, lane_n * sizeof (gint64));

  /* The bytes keep the session's data alive. */
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  g_object_unref (session);
  g_assert_nonnull (session);
  g_assert_cmpint (((const gint64 *) g_bytes_get_data (starts, NULL))[0], ==, p_starts[0]);
  g_clear_pointer (&starts, g_bytes_unref);
  g_clear_pointer (&ends, g_bytes_unref);
  g_clear_pointer (&depths, g_bytes_unref);
  g_clear_pointer (&parents, g_bytes_unref);
  g_assert_null (session);
}

static guint64
total_count (SpSession *session)
{
  guint64 n = 0;

  for (guint i = 0; i < sp_session_get_n_regions (session); i++)
    {
      g_autoptr(SpRegionStats) stats = sp_session_get_region_stats (session, i);
      n += sp_region_stats_get_count (stats);
    }

  return n;
}

static void
test_filter (void)
{
  SpSession *session = load ("python-schema2.h5");
  SpSession *filtered;
  guint region;
  guint n_ranks;
  const guint *ranks;
  gint64 mid;

  /* By name */
  filtered = sp_session_filter (session, (const char *[]) { "s*", NULL }, NULL, NULL, 0, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (sp_session_get_n_regions (filtered), ==, 2);
  g_assert_cmpstr (sp_session_get_region_name (filtered, 0), ==, "solve");
  g_assert_cmpstr (sp_session_get_region_name (filtered, 1), ==, "step");
  g_assert_cmpstr (sp_session_get_region_source_file (filtered, 0), ==, "solver.py");
  g_assert_cmpstr (sp_session_get_metadata_string (filtered, "hostname"), ==, "node-042");
  g_assert_finalize_object (filtered);

  filtered = sp_session_filter (session, NULL, (const char *[]) { "step", "*.*", NULL }, NULL, 0, G_MININT64, G_MAXINT64);
  g_assert_cmpuint (sp_session_get_n_regions (filtered), ==, 2);
  g_assert_cmpstr (sp_session_get_region_name (filtered, 0), ==, "assemble");
  g_assert_cmpstr (sp_session_get_region_name (filtered, 1), ==, "solve");

  /* Counts and totals do not depend on what else is kept; self times
   * only grow when nested regions are dropped. */
  for (guint i = 0; i < sp_session_get_n_regions (filtered); i++)
    {
      g_autoptr(SpRegionStats) a = NULL;
      g_autoptr(SpRegionStats) b = NULL;

      g_assert_true (sp_session_lookup_region (session, sp_session_get_region_name (filtered, i), &region));
      a = sp_session_get_region_stats (session, region);
      b = sp_session_get_region_stats (filtered, i);
      g_assert_cmpuint (sp_region_stats_get_count (a), ==, sp_region_stats_get_count (b));
      g_assert_cmpint (sp_region_stats_get_total (a), ==, sp_region_stats_get_total (b));
      g_assert_cmpint (sp_region_stats_get_self_time (a), <=, sp_region_stats_get_self_time (b));
    }
  g_assert_finalize_object (filtered);

  /* By rank */
  filtered = sp_session_filter (session, NULL, NULL, (const guint[]) { 1 }, 1, G_MININT64, G_MAXINT64);
  ranks = sp_session_get_ranks (filtered, &n_ranks);
  g_assert_cmpuint (n_ranks, ==, 1);
  g_assert_cmpuint (ranks[0], ==, 1);
  g_assert_true (sp_session_lookup_region (session, "solve", &region));
  {
    g_autoptr(SpRegionStats) a = sp_session_get_region_stats_for_rank (session, region, 1);
    g_autoptr(SpRegionStats) b = NULL;
    guint fregion;

    g_assert_true (sp_session_lookup_region (filtered, "solve", &fregion));
    b = sp_session_get_region_stats (filtered, fregion);
    g_assert_cmpuint (sp_region_stats_get_count (a), ==, sp_region_stats_get_count (b));
    g_assert_cmpint (sp_region_stats_get_total (a), ==, sp_region_stats_get_total (b));
    g_assert_cmpint (sp_region_stats_get_self_time (a), ==, sp_region_stats_get_self_time (b));
    g_assert_cmpfloat (sp_region_stats_get_p90 (a), ==, sp_region_stats_get_p90 (b));
  }
  g_assert_finalize_object (filtered);

  /* By time: intervals overlapping the range are kept whole */
  mid = sp_session_get_start_time (session) + (sp_session_get_end_time (session) - sp_session_get_start_time (session)) / 2;
  filtered = sp_session_filter (session, NULL, NULL, NULL, 0, mid, G_MAXINT64);
  g_assert_cmpuint (total_count (filtered), >, 0);
  g_assert_cmpuint (total_count (filtered), <, total_count (session));
  for (guint lane = 0; lane < sp_session_get_n_lanes (filtered); lane++)
    {
      const gint64 *ends;
      gsize n = sp_session_peek_lane (filtered, lane, NULL, NULL, &ends, NULL, NULL);

      for (gsize j = 0; j < n; j++)
        g_assert_cmpint (ends[j], >, mid);
    }
  {
    SpSession *rest = sp_session_filter (session, NULL, NULL, NULL, 0, G_MININT64, mid);
    guint64 straddling = 0;

    /* Every interval is on one side or both. */
    for (guint lane = 0; lane < sp_session_get_n_lanes (rest); lane++)
      {
        const gint64 *starts;
        const gint64 *ends;
        gsize n = sp_session_peek_lane (rest, lane, NULL, &starts, &ends, NULL, NULL);

        for (gsize j = 0; j < n; j++)
          {
            g_assert_cmpint (starts[j], <, mid);
            if (ends[j] > mid)
              straddling++;
          }
      }
    g_assert_cmpuint (total_count (rest) + total_count (filtered) - straddling, ==, total_count (session));
    g_assert_finalize_object (rest);
  }
  g_assert_finalize_object (filtered);

  g_assert_finalize_object (session);
}

static guint error_handler_calls;

static herr_t
count_errors (hid_t  stack,
              void  *data)
{
  error_handler_calls++;
  return 0;
}

static void
test_hdf5_error_printing (void)
{
  g_autofree char *path = fixture ("offsets.h5");
  g_autoptr(GError) error = NULL;
  H5E_auto2_t saved_func = NULL;
  void *saved_data = NULL;
  H5E_auto2_t func = NULL;
  void *data = NULL;
  int marker;

  H5Eget_auto2 (H5E_DEFAULT, &saved_func, &saved_data);
  H5Eset_auto2 (H5E_DEFAULT, count_errors, &marker);

  /* Our own failing calls print nothing... */
  g_assert_null (sp_session_new_from_file (path, NULL, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (error_handler_calls, ==, 0);

  /* ...and the application's handler is back afterwards. */
  H5Eget_auto2 (H5E_DEFAULT, &func, &data);
  g_assert_true (func == count_errors);
  g_assert_true (data == &marker);

  H5Eset_auto2 (H5E_DEFAULT, saved_func, saved_data);
}

static gpointer
worker_thread (gpointer data)
{
  SpRegion *region = data;

  for (guint i = 0; i < 7; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
    }

  return NULL;
}

static void
test_roundtrip (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "roundtrip.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (path, 4);
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SpRegionStats) outer_stats = NULL;
  g_autoptr(SpRegionStats) inner_stats = NULL;
  g_autoptr(SpRegionStats) worker_stats = NULL;
  SpSession *session;
  SpRegion *outer;
  SpRegion *inner;
  SpRegion *worker;
  GThread *thread;
  guint i_outer, i_inner, i_worker;
  gint64 pid = 0;
  guint lane;
  const guint32 *regions;
  const guint32 *depths;
  const gint64 *parents;
  gsize n;

  sp_profile_manager_setup (manager, config);
  outer = sp_profile_manager_profile_region (manager, "solver/outer");
  inner = sp_profile_manager_profile_region (manager, "inner");
  worker = sp_profile_manager_profile_region (manager, "worker");

  for (guint i = 0; i < 5; i++)
    {
      sp_region_enter (outer);
      for (guint j = 0; j < 3; j++)
        {
          sp_region_enter (inner);
          g_usleep (10);
          sp_region_exit (inner);
        }
      sp_region_exit (outer);
    }

  thread = g_thread_new ("sp-worker", worker_thread, worker);
  g_thread_join (thread);

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (sp_session_get_schema (session), ==, 1);
  g_assert_true (sp_session_get_metadata_int (session, "pid", &pid));
  g_assert_cmpint (pid, ==, getpid ());
  g_assert_nonnull (sp_session_get_metadata_string (session, "hostname"));

  g_assert_true (sp_session_lookup_region (session, "solver/outer", &i_outer));
  g_assert_true (sp_session_lookup_region (session, "inner", &i_inner));
  g_assert_true (sp_session_lookup_region (session, "worker", &i_worker));

  outer_stats = sp_session_get_region_stats (session, i_outer);
  inner_stats = sp_session_get_region_stats (session, i_inner);
  worker_stats = sp_session_get_region_stats (session, i_worker);
  g_assert_cmpuint (sp_region_stats_get_count (outer_stats), ==, 5);
  g_assert_cmpuint (sp_region_stats_get_count (inner_stats), ==, 15);
  g_assert_cmpuint (sp_region_stats_get_count (worker_stats), ==, 7);
  g_assert_cmpint (sp_region_stats_get_self_time (outer_stats), ==,
                   sp_region_stats_get_total (outer_stats) - sp_region_stats_get_total (inner_stats));
  g_assert_cmpint (sp_region_stats_get_self_time (inner_stats), ==, sp_region_stats_get_total (inner_stats));

  /* Two threads: two lanes; inner is nested in outer on the first. */
  g_assert_cmpuint (sp_session_get_n_lanes (session), ==, 2);
  g_assert_cmpuint (sp_session_get_n_overlaps (session), ==, 0);
  g_assert_true (sp_session_lookup_lane (session, 0, sp_session_get_lane_thread (session, 0), &lane));
  n = sp_session_peek_lane (session, lane, &regions, NULL, NULL, &depths, &parents);
  if (regions[0] == i_worker)
    n = sp_session_peek_lane (session, ++lane, &regions, NULL, NULL, &depths, &parents);
  g_assert_cmpuint (n, ==, 20);
  for (gsize j = 0; j < n; j++)
    {
      if (regions[j] == i_outer)
        {
          g_assert_cmpuint (depths[j], ==, 0);
          g_assert_cmpint (parents[j], ==, -1);
        }
      else
        {
          g_assert_cmpuint (regions[j], ==, i_inner);
          g_assert_cmpuint (depths[j], ==, 1);
          g_assert_cmpuint (regions[parents[j]], ==, i_outer);
        }
    }

  g_assert_finalize_object (session);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  make_fixtures ();

  g_test_add_data_func ("/ScopeProfiler/Session/python-schema1", "python-schema1.h5", check_file);
  g_test_add_data_func ("/ScopeProfiler/Session/native-schema1", "native-schema1.h5", check_file);
  g_test_add_data_func ("/ScopeProfiler/Session/python-schema2", "python-schema2.h5", check_file);
  g_test_add_data_func ("/ScopeProfiler/Session/python-schema3", "python-schema3.h5", check_file);
  g_test_add_func ("/ScopeProfiler/Session/nested-python-names", test_nested_python_names);
  g_test_add_func ("/ScopeProfiler/Session/native-names", test_native_names);
  g_test_add_func ("/ScopeProfiler/Session/overlaps", test_overlaps);
  g_test_add_func ("/ScopeProfiler/Session/empty", test_empty);
  g_test_add_func ("/ScopeProfiler/Session/links", test_links);
  g_test_add_func ("/ScopeProfiler/Session/bad-files", test_bad_files);
  g_test_add_func ("/ScopeProfiler/Session/corrupt-values", test_corrupt_values);
  g_test_add_func ("/ScopeProfiler/Session/fuzz-regressions", test_fuzz_regressions);
  g_test_add_func ("/ScopeProfiler/Session/dense-groups", test_dense_groups);
  g_test_add_func ("/ScopeProfiler/Session/file-ranks", test_file_ranks);
  g_test_add_func ("/ScopeProfiler/Session/missing-file", test_missing_file);
  g_test_add_func ("/ScopeProfiler/Session/stats-for-intervals", test_stats_for_intervals);
  g_test_add_func ("/ScopeProfiler/Session/async", test_async);
  g_test_add_func ("/ScopeProfiler/Session/async-error", test_async_error);
  g_test_add_func ("/ScopeProfiler/Session/sync-progress", test_sync_progress);
  g_test_add_func ("/ScopeProfiler/Session/cancel", test_cancel);
  g_test_add_func ("/ScopeProfiler/Session/bytes", test_bytes);
  g_test_add_func ("/ScopeProfiler/Session/filter", test_filter);
  g_test_add_func ("/ScopeProfiler/Session/hdf5-error-printing", test_hdf5_error_printing);
  g_test_add_func ("/ScopeProfiler/Session/roundtrip", test_roundtrip);

  ret = g_test_run ();

  remove_fixtures ();

  return ret;
}
