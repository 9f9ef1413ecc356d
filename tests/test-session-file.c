/* test-session-file.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sp-test-util.h"

static SpProfileManager *
manager_for (const char *path,
             guint       buffer_limit)
{
  g_autoptr(SpConfig) config = sp_test_config (path, buffer_limit);
  SpProfileManager *manager = sp_profile_manager_new ();

  sp_profile_manager_setup (manager, config);

  return manager;
}

static void
test_file_layout (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "layout.h5", NULL);
  g_autoptr(SpProfileManager) manager = manager_for (path, 10);
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GArray) ends = NULL;
  g_autoptr(GArray) threads = NULL;
  g_auto(GStrv) root = NULL;
  g_auto(GStrv) rank = NULL;
  g_auto(GStrv) region = NULL;
  static const char *strings[] = {
    "timestamp", "hostname", "platform", "user", "working_directory",
    "scope_profiler_version", "command_line", "clock",
  };
  static const char *integers[] = {
    "omp_num_threads", "mpi_size", "total_cores", "start_time_ns", "pid",
  };

  sp_test_calls (sp_profile_manager_profile_region (manager, "main"), 25);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));

  g_assert_cmpint (sp_test_read_attr_int (path, "/", "scope_profiler_schema"), ==, 1);

  root = sp_test_list_group (path, "/");
  g_assert_cmpstrv (root, ((const char *[]) { "metadata", "rank0", NULL }));
  rank = sp_test_list_group (path, "/rank0");
  g_assert_cmpstrv (rank, ((const char *[]) { "regions", "threads", NULL }));
  region = sp_test_list_group (path, "/rank0/regions/main");
  g_assert_cmpstrv (region, ((const char *[]) { "end_times", "start_times", "thread_ids", NULL }));

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autofree char *value = sp_test_read_attr_string (path, "/metadata", strings[i]);
      g_assert_nonnull (value);
    }
  for (guint i = 0; i < G_N_ELEMENTS (integers); i++)
    sp_test_read_attr_int (path, "/metadata", integers[i]);

  g_assert_cmpint (sp_test_read_attr_int (path, "/metadata", "pid"), ==, getpid ());
  g_assert_cmpint (sp_test_read_attr_int (path, "/metadata", "mpi_size"), ==, 1);

  /* Flushed and buffered calls, in the order they completed. */
  starts = sp_test_read_i64 (path, "/rank0/regions/main/start_times");
  ends = sp_test_read_i64 (path, "/rank0/regions/main/end_times");
  threads = sp_test_read_i64 (path, "/rank0/regions/main/thread_ids");
  g_assert_cmpuint (starts->len, ==, 25);
  g_assert_cmpuint (ends->len, ==, 25);
  g_assert_cmpuint (threads->len, ==, 25);
  for (guint i = 0; i < 25; i++)
    {
      g_assert_cmpint (g_array_index (starts, gint64, i), <=, g_array_index (ends, gint64, i));
      if (i > 0)
        g_assert_cmpint (g_array_index (starts, gint64, i), >=, g_array_index (ends, gint64, i - 1));
    }
  g_assert_cmpint (g_array_index (starts, gint64, 0), >=, sp_profile_manager_get_start_time (manager));
  g_assert_cmpint (sp_test_read_attr_int (path, "/rank0/regions/main", "num_calls"), ==, 25);

  /* No spill file or temporary file is left beside the session. */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    guint n = 0;

    while ((name = g_dir_read_name (d)))
      {
        g_assert_cmpstr (name, ==, "layout.h5");
        n++;
      }
    g_assert_cmpuint (n, ==, 1);
  }
}

static void
test_file_names (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "names.h5", NULL);
  g_autoptr(SpProfileManager) manager = manager_for (path, 4);
  static const struct { const char *name; const char *group; } names[] = {
    { "solver/step", "solver%2Fstep" },
    { "with space", "with space" },
    { "dots.in.name", "dots.in.name" },
    { ".", "%2E" },
    { "..", ".." },
    { "100%", "100%25" },
    { "%2F", "%252F" },
    { "/leading", "%2Fleading" },
    { "ünïcödé ✓", "ünïcödé ✓" },
    { "tab\tand\nnewline", "tab\tand\nnewline" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    sp_test_calls (sp_profile_manager_profile_region (manager, names[i].name), i + 1);

  g_assert_true (sp_profile_manager_finalize (manager, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *group = g_strdup_printf ("/rank0/regions/%s", names[i].group);
      g_autofree char *dataset = g_strdup_printf ("%s/start_times", group);
      g_autofree char *exact = sp_test_read_attr_string (path, group, "name");
      g_autoptr(GArray) starts = sp_test_read_i64 (path, dataset);

      g_assert_cmpstr (exact, ==, names[i].name);
      g_assert_nonnull (starts);
      g_assert_cmpuint (starts->len, ==, i + 1);
    }
}

static void
test_file_recursion_deeper_than_limit (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "recursion.h5", NULL);
  g_autoptr(SpProfileManager) manager = manager_for (path, 8);
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GArray) ends = NULL;

  sp_test_recurse (sp_profile_manager_profile_region (manager, "deep"), 5000);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));

  starts = sp_test_read_i64 (path, "/rank0/regions/deep/start_times");
  ends = sp_test_read_i64 (path, "/rank0/regions/deep/end_times");
  g_assert_cmpuint (starts->len, ==, 5000);
  for (guint i = 1; i < starts->len; i++)
    {
      /* Each completed call encloses the previous (inner) one. */
      g_assert_cmpint (g_array_index (starts, gint64, i), <=, g_array_index (starts, gint64, i - 1));
      g_assert_cmpint (g_array_index (ends, gint64, i), >=, g_array_index (ends, gint64, i - 1));
    }
}

static void
test_file_modes_without_file (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "none.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(SpConfig) config = sp_test_config (path, 4);
  SpRegion *region;

  /* Disabled. */
  sp_config_set_enabled (config, FALSE);
  sp_profile_manager_setup (manager, config);
  region = sp_profile_manager_profile_region (manager, "r");
  sp_test_calls (region, 100);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* In memory. */
  sp_config_set_enabled (config, TRUE);
  sp_config_set_flush_to_disk (config, FALSE);
  sp_profile_manager_setup (manager, config);
  sp_test_calls (region, 100);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 100);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Counting only: the file holds the counts, no timestamps. */
  sp_config_set_flush_to_disk (config, TRUE);
  sp_config_set_time_trace (config, FALSE);
  sp_profile_manager_setup (manager, config);
  sp_test_calls (region, 100);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpint (sp_test_read_attr_int (path, "/rank0/regions/r", "num_calls"), ==, 100);
  {
    g_autoptr(GArray) starts = sp_test_read_i64 (path, "/rank0/regions/r/start_times");
    g_assert_cmpuint (starts->len, ==, 0);
  }
}

static void
test_file_recover_after_crash (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "crash.h5", NULL);
  g_autofree char *recovered = g_build_filename (dir, "recovered.h5", NULL);
  g_autofree char *spill = NULL;
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  pid_t pid;

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);

  if (pid == 0)
    {
      /* The child records 1000 calls with a buffer of 64, then dies
       * without finalizing: 960 calls were flushed. */
      SpProfileManager *manager = manager_for (path, 64);
      SpRegion *region = sp_profile_manager_profile_region (manager, "work/item");

      sp_test_calls (region, 1000);
      _exit (0);
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  spill = g_strdup_printf ("%s.%d.spill", path, (int) pid);
  g_assert_true (g_file_test (spill, G_FILE_TEST_IS_REGULAR));

  g_assert_true (sp_profile_manager_recover (spill, recovered, &error));
  g_assert_no_error (error);

  starts = sp_test_read_i64 (recovered, "/rank0/regions/work%2Fitem/start_times");
  g_assert_nonnull (starts);
  g_assert_cmpuint (starts->len, ==, 960);
  g_assert_cmpint (sp_test_read_attr_int (recovered, "/metadata", "pid"), ==, pid);

  /* A torn last record (the crash hit mid-flush) is left out. */
  {
    g_autofree char *contents = NULL;
    g_autofree char *torn = g_build_filename (dir, "torn.spill", NULL);
    g_autofree char *out = g_build_filename (dir, "torn.h5", NULL);
    g_autoptr(GArray) torn_starts = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (spill, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (torn, contents, len - 100, NULL));
    g_assert_true (sp_profile_manager_recover (torn, out, &error));
    g_assert_no_error (error);
    torn_starts = sp_test_read_i64 (out, "/rank0/regions/work%2Fitem/start_times");
    g_assert_cmpuint (torn_starts->len, ==, 960 - 64);
  }

  /* Garbage is an error, not a crash. */
  {
    g_autofree char *garbage = g_build_filename (dir, "garbage.spill", NULL);
    g_autofree char *out = g_build_filename (dir, "garbage.h5", NULL);

    g_assert_true (g_file_set_contents (garbage, "not a spill file at all, no no no", -1, NULL));
    g_assert_false (sp_profile_manager_recover (garbage, out, &error));
    g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
}

/* A session that only counted calls has regions and no intervals, and
 * reads back as such. */
static void
test_file_counts_only_read_back (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "counts.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (path, 4);
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  guint index;

  sp_config_set_time_trace (config, FALSE);
  sp_profile_manager_setup (manager, config);
  sp_test_calls (sp_profile_manager_profile_region (manager, "main"), 3);
  sp_test_calls (sp_profile_manager_profile_region (manager, "solve"), 5);
  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sp_session_get_n_regions (session), ==, 2);
  g_assert_cmpuint (sp_session_get_n_lanes (session), ==, 0);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(SpRegionStats) stats = NULL;

      g_assert_true (sp_session_lookup_region (session, i == 0 ? "main" : "solve", &index));
      stats = sp_session_get_region_stats (session, index);
      g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 0);
    }
}

/* A session of many regions reads back whole, and soon: the reader used
 * to list a group with one by-index lookup per member, each starting over
 * from the first member (quadratic). */
static guint n_many_regions = 10000;

static char *
many_regions_name (guint i)
{
  /* Creation order is not name order (7919 is prime to the count, so
   * this permutes), and some names need escaping. */
  if (i % 1000 == 7)
    return g_strdup_printf ("io/%u", i);
  return g_strdup_printf ("region %u", (i * 7919) % n_many_regions);
}

static void
test_file_many_regions (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "many.h5", NULL);
  g_autoptr(SpProfileManager) manager = manager_for (path, 1000);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0, t1, t2;

  /* Under valgrind, 10,000 regions take minutes and check nothing more
   * than 2,000 do; the quadratic listing shows in the plain run. */
  if (RUNNING_ON_VALGRIND)
    n_many_regions = 2000;

  t0 = g_get_monotonic_time ();

  for (guint i = 0; i < n_many_regions; i++)
    {
      g_autofree char *name = many_regions_name (i);

      sp_test_calls (sp_profile_manager_profile_region (manager, name), 1 + i % 3);
    }

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  t1 = g_get_monotonic_time ();

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  t2 = g_get_monotonic_time ();
  g_test_message ("%u regions: written in %.2f s, read in %.2f s", n_many_regions,
                  (t1 - t0) / (double) G_USEC_PER_SEC, (t2 - t1) / (double) G_USEC_PER_SEC);

  g_assert_cmpuint (sp_session_get_n_regions (session), ==, n_many_regions);

  for (guint i = 0; i < n_many_regions; i++)
    {
      g_autofree char *name = many_regions_name (i);
      g_autoptr(SpRegionStats) stats = NULL;
      guint index;

      if (!sp_session_lookup_region (session, name, &index))
        g_error ("region “%s” was not read back", name);
      g_assert_cmpstr (sp_session_get_region_name (session, index), ==, name);

      stats = sp_session_get_region_stats (session, index);
      g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 1 + i % 3);
    }

  /* The session lists its regions by name. */
  for (guint i = 1; i < n_many_regions; i++)
    g_assert_cmpint (strcmp (sp_session_get_region_name (session, i - 1),
                             sp_session_get_region_name (session, i)), <, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/SessionFile/layout", test_file_layout);
  g_test_add_func ("/ScopeProfiler/SessionFile/names", test_file_names);
  g_test_add_func ("/ScopeProfiler/SessionFile/recursion-deeper-than-limit", test_file_recursion_deeper_than_limit);
  g_test_add_func ("/ScopeProfiler/SessionFile/modes-without-file", test_file_modes_without_file);
  g_test_add_func ("/ScopeProfiler/SessionFile/recover-after-crash", test_file_recover_after_crash);
  g_test_add_func ("/ScopeProfiler/SessionFile/counts-only-read-back", test_file_counts_only_read_back);
  g_test_add_func ("/ScopeProfiler/SessionFile/many-regions", test_file_many_regions);

  return g_test_run ();
}
