/* test-region.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <malloc.h>
#include <time.h>

#include "sp-test-util.h"

static SpProfileManager *
new_manager (guint    buffer_limit,
             gboolean time_trace,
             gboolean flush_to_disk,
             gboolean enabled)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "session.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (path, buffer_limit);
  SpProfileManager *manager = sp_profile_manager_new ();

  sp_config_set_time_trace (config, time_trace);
  sp_config_set_flush_to_disk (config, flush_to_disk);
  sp_config_set_enabled (config, enabled);
  sp_profile_manager_setup (manager, config);

  return manager;
}

static void
busy_wait (gint64 ns)
{
  gint64 end = sp_get_current_time () + ns;

  while (sp_get_current_time () < end)
    ;
}

static void
test_region_counts_calls (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (100, TRUE, TRUE, TRUE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "solver");
  guint64 calls = 0;

  g_assert_cmpstr (sp_region_get_name (region), ==, "solver");
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 0);

  for (guint i = 0; i < 10; i++)
    {
      sp_region_enter (region);
      g_assert_cmpuint (sp_region_get_num_calls (region), ==, i);
      sp_region_exit (region);
    }

  g_object_get (region, "num-calls", &calls, NULL);
  g_assert_cmpuint (calls, ==, 10);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 10);
}

static void
test_region_timestamps (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (100, TRUE, TRUE, TRUE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "sleep");
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GArray) ends = NULL;
  g_autoptr(GArray) durations = NULL;
  struct timespec ts;
  gint64 before, after, mono;

  before = sp_get_current_time ();
  sp_region_enter (region);
  busy_wait (2000000);
  sp_region_exit (region);
  after = sp_get_current_time ();

  /* The time base is CLOCK_MONOTONIC in nanoseconds. */
  clock_gettime (CLOCK_MONOTONIC, &ts);
  mono = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
  g_assert_cmpint (mono, >=, after);
  g_assert_cmpint (mono - after, <, G_GINT64_CONSTANT (1000000000));

  starts = sp_test_bytes_to_array (sp_region_get_start_times (region));
  ends = sp_test_bytes_to_array (sp_region_get_end_times (region));
  durations = sp_test_bytes_to_array (sp_region_get_durations (region));

  g_assert_cmpuint (starts->len, ==, 1);
  g_assert_cmpuint (ends->len, ==, 1);
  g_assert_cmpuint (durations->len, ==, 1);
  g_assert_cmpint (g_array_index (starts, gint64, 0), >=, before);
  g_assert_cmpint (g_array_index (ends, gint64, 0), <=, after);
  g_assert_cmpint (g_array_index (durations, gint64, 0), ==,
                   g_array_index (ends, gint64, 0) - g_array_index (starts, gint64, 0));
  g_assert_cmpint (g_array_index (durations, gint64, 0), >=, 2000000);
}

static void
test_region_nested (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (100, TRUE, TRUE, TRUE);
  SpRegion *outer = sp_profile_manager_profile_region (manager, "outer");
  SpRegion *inner = sp_profile_manager_profile_region (manager, "inner");
  g_autoptr(GArray) os = NULL, oe = NULL, is = NULL, ie = NULL;

  sp_region_enter (outer);
  for (guint i = 0; i < 3; i++)
    {
      sp_region_enter (inner);
      busy_wait (1000);
      sp_region_exit (inner);
    }
  sp_region_exit (outer);

  os = sp_test_bytes_to_array (sp_region_get_start_times (outer));
  oe = sp_test_bytes_to_array (sp_region_get_end_times (outer));
  is = sp_test_bytes_to_array (sp_region_get_start_times (inner));
  ie = sp_test_bytes_to_array (sp_region_get_end_times (inner));

  g_assert_cmpuint (os->len, ==, 1);
  g_assert_cmpuint (is->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (g_array_index (is, gint64, i), >=, g_array_index (os, gint64, 0));
      g_assert_cmpint (g_array_index (ie, gint64, i), <=, g_array_index (oe, gint64, 0));
      g_assert_cmpint (g_array_index (is, gint64, i), <=, g_array_index (ie, gint64, i));
      if (i > 0)
        g_assert_cmpint (g_array_index (is, gint64, i), >=, g_array_index (ie, gint64, i - 1));
    }
}

static void
test_region_recursive (void)
{
  /* Deeper than the buffer limit: the open calls live on their own stack,
   * completed ones flush. */
  g_autoptr(SpProfileManager) manager = new_manager (4, TRUE, FALSE, TRUE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "fib");
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GArray) ends = NULL;

  sp_test_recurse (region, 1000);

  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1000);

  starts = sp_test_bytes_to_array (sp_region_get_start_times (region));
  ends = sp_test_bytes_to_array (sp_region_get_end_times (region));
  g_assert_cmpuint (starts->len, ==, 1000);

  /* Calls complete innermost first: each completed call encloses the one
   * before it, so the inner exit never overwrote the outer call. */
  for (guint i = 1; i < starts->len; i++)
    {
      g_assert_cmpint (g_array_index (starts, gint64, i), <=, g_array_index (starts, gint64, i - 1));
      g_assert_cmpint (g_array_index (ends, gint64, i), >=, g_array_index (ends, gint64, i - 1));
    }
}

static void
test_region_exit_without_enter (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (100, TRUE, TRUE, TRUE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "unbalanced");

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*\"unbalanced\" has no open call*");
  sp_region_exit (region);
  g_test_assert_expected_messages ();

  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 0);

  /* The data is intact and recording goes on. */
  sp_region_enter (region);
  sp_region_exit (region);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1);

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*no open call*");
  sp_region_exit (region);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 1);
}

static void
test_region_bad_names (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (100, TRUE, TRUE, TRUE);

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*non-empty*");
  g_assert_null (sp_profile_manager_profile_region (manager, ""));
  g_test_assert_expected_messages ();

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*non-empty*");
  g_assert_null (sp_profile_manager_profile_region (manager, NULL));
  g_test_assert_expected_messages ();

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*UTF-8*");
  g_assert_null (sp_profile_manager_profile_region (manager, "bad\xff"));
  g_test_assert_expected_messages ();

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*sp_region_enter*assertion*failed*");
  sp_region_enter (NULL);
  g_test_assert_expected_messages ();
}

static void
test_region_mode_disabled (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (100, TRUE, TRUE, FALSE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "off");

  for (guint i = 0; i < 100; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
    }

  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 0);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 0);
}

static void
test_region_mode_count_only (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (4, FALSE, TRUE, TRUE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "counted");

  for (guint i = 0; i < 100; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
    }

  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 100);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 0);

  /* Unbalanced exits are still caught. */
  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*no open call*");
  sp_region_exit (region);
  g_test_assert_expected_messages ();
}

static void
test_region_mode_in_memory (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (4, TRUE, FALSE, TRUE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "memory");
  g_autofree char *spill = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
    }

  /* Buffers grow past the limit and nothing is flushed. */
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1000);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 1000);
  spill = sp_profile_manager_get_spill_path (manager);
  g_assert_null (spill);
}

static void
test_region_mode_flush (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (64, TRUE, TRUE, TRUE);
  SpRegion *region = sp_profile_manager_profile_region (manager, "flushed");
  g_autofree char *spill = NULL;

  for (guint i = 0; i < 1000; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
      g_assert_cmpuint (sp_region_get_n_buffered (region), <=, 64);
    }

  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1000);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 1000 % 64);
  spill = sp_profile_manager_get_spill_path (manager);
  g_assert_nonnull (spill);
  g_assert_true (g_file_test (spill, G_FILE_TEST_IS_REGULAR));
}

static void
scoped_work (void)
{
  SP_PROFILE_FUNCTION ();
  busy_wait (100);
}

static void
scoped_block (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      SP_PROFILE_SCOPE ("scoped block");
      scoped_work ();
    }
}

static void
test_region_scope_macros (void)
{
  SpProfileManager *manager = sp_profile_manager_get_default ();
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "scope.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (path, 16);
  SpRegion *block, *work;

  sp_profile_manager_setup (manager, config);
  scoped_block (50);

  block = sp_profile_manager_get_region (manager, "scoped block");
  work = sp_profile_manager_get_region (manager, "scoped_work");
  g_assert_nonnull (block);
  g_assert_nonnull (work);
  g_assert_cmpuint (sp_region_get_num_calls (block), ==, 50);
  g_assert_cmpuint (sp_region_get_num_calls (work), ==, 50);

  /* A new session clears the regions; the call sites' cached regions join
   * it again on their next pass. */
  sp_profile_manager_setup (manager, config);
  g_assert_null (sp_profile_manager_get_region (manager, "scoped block"));
  scoped_block (7);
  g_assert_true (sp_profile_manager_get_region (manager, "scoped block") == block);
  g_assert_cmpuint (sp_region_get_num_calls (block), ==, 7);
  g_assert_cmpuint (sp_region_get_num_calls (work), ==, 7);

  /* setup() inside an open scope: the open call closes quietly and counts
   * nowhere. */
  {
    SP_PROFILE_SCOPE ("scoped block");
    sp_profile_manager_setup (manager, config);
  }
  g_assert_cmpuint (sp_region_get_num_calls (block), ==, 0);
  scoped_block (3);
  g_assert_cmpuint (sp_region_get_num_calls (block), ==, 3);

  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static gsize
allocated_bytes (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static void
test_region_hot_path_allocates_nothing (void)
{
  g_autoptr(SpProfileManager) manager = new_manager (1000, TRUE, TRUE, TRUE);
  SpRegion *a = sp_profile_manager_profile_region (manager, "a");
  SpRegion *b = sp_profile_manager_profile_region (manager, "b");
  gsize before, after;

  /* Warm up: first calls size the buffers and open the spill file. */
  for (guint i = 0; i < 5000; i++)
    {
      sp_region_enter (a);
      sp_region_enter (b);
      sp_region_exit (b);
      sp_region_exit (a);
    }

  before = allocated_bytes ();
  for (guint i = 0; i < 100000; i++)
    {
      sp_region_enter (a);
      sp_region_enter (b);
      sp_region_exit (b);
      sp_region_exit (a);
    }
  after = allocated_bytes ();

  /* 200 flushes happened in between, reusing the same buffers. */
  g_assert_cmpuint (sp_region_get_num_calls (a), ==, 105000);
  g_assert_cmpuint (after, ==, before);
}

typedef struct
{
  SpRegion *region;
  SpRegion *own;
  gint64    track;
} RecordThread;

static gpointer
record_from_thread (gpointer data)
{
  RecordThread *rt = data;

  sp_set_thread_name ("a thread with a name longer than fifteen bytes");
  for (guint i = 0; i < 10; i++)
    sp_region_record (rt->region, rt->track, 1000 + i * 10, 1000 + i * 10 + 5);
  sp_region_enter (rt->own);
  sp_region_exit (rt->own);

  return NULL;
}

/* sp_region_record() on tracks: intervals that overlap the thread's own
 * calls without nesting in them, on lanes of their own, named, from any
 * thread, through buffer flushes. */
static void
test_region_record_on_tracks (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "session.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (path, 4);
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpRegionStats) stats = NULL;
  SpRegion *region;
  RecordThread rt;
  GThread *thread;
  gint64 task_a, task_b;
  guint index, lane;
  gboolean found_a = FALSE, found_b = FALSE, found_thread = FALSE, found_recorder = FALSE;
  const gint64 *threads;
  guint n_threads;

  sp_profile_manager_setup (manager, config);
  region = sp_profile_manager_profile_region (manager, "task");

  task_a = sp_new_track ("task A");
  task_b = sp_new_track ("task B");
  g_assert_cmpint (task_a, >=, 0);
  g_assert_cmpint (task_b, !=, task_a);

  /* A and B interleave: A 0..100, B 10..200, A 150..300. The calls of a
   * thread's stack would pair them LIFO; on tracks each keeps its own. */
  sp_region_record (region, task_a, 0, 100);
  sp_region_record (region, task_b, 10, 200);
  sp_region_record (region, task_a, 150, 300);
  /* -1: the calling thread's lane. */
  sp_region_record (region, -1, 400, 450);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 4);

  rt.region = region;
  rt.own = sp_profile_manager_profile_region (manager, "own");
  rt.track = task_b;
  thread = g_thread_new ("recorder", record_from_thread, &rt);
  g_thread_join (thread);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 14);

  sp_set_thread_name ("main thread");
  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sp_session_lookup_region (session, "task", &index));
  stats = sp_session_get_region_stats (session, index);
  g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 14);
  g_assert_cmpint (sp_region_stats_get_min (stats), ==, 5);
  g_assert_cmpint (sp_region_stats_get_max (stats), ==, 190);

  threads = sp_session_get_threads (session, 0, &n_threads);
  for (guint i = 0; i < n_threads; i++)
    {
      const char *name = sp_session_get_thread_name (session, 0, threads[i]);

      if (threads[i] == task_a)
        found_a = g_str_equal (name, "task A");
      else if (threads[i] == task_b)
        found_b = g_str_equal (name, "task B");
      else
        found_thread |= g_str_equal (name, "main thread");
    }
  g_assert_true (found_a);
  g_assert_true (found_b);
  g_assert_true (found_thread);

  /* Tracks have no end nor CPU time; threads have a start, and the
   * recorder thread, which exited, an end and a CPU time. */
  {
    gint64 start, end, cpu;

    g_assert_true (sp_session_get_thread_times (session, 0, task_a, &start, &end, &cpu));
    g_assert_cmpint (start, >, 0);
    g_assert_cmpint (end, ==, -1);
    g_assert_cmpint (cpu, ==, -1);
    for (guint i = 0; i < n_threads; i++)
      if (g_str_equal (sp_session_get_thread_name (session, 0, threads[i]),
                       "a thread with a name longer than fifteen bytes"))
        {
          found_recorder = TRUE;
          g_assert_true (sp_session_get_thread_times (session, 0, threads[i], &start, &end, &cpu));
          g_assert_cmpint (start, >, 0);
          g_assert_cmpint (end, >, start);
          g_assert_cmpint (cpu, >=, 0);
        }
    g_assert_true (found_recorder);
  }

  g_assert_true (sp_session_lookup_lane (session, 0, task_b, &lane));
  g_assert_cmpuint (sp_session_get_lane_n_overlaps (session, lane), ==, 0);
  g_assert_true (sp_session_lookup_lane (session, 0, task_a, &lane));
  g_assert_cmpuint (sp_session_peek_lane (session, lane, NULL, NULL, NULL, NULL, NULL), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/Region/counts-calls", test_region_counts_calls);
  g_test_add_func ("/ScopeProfiler/Region/timestamps", test_region_timestamps);
  g_test_add_func ("/ScopeProfiler/Region/nested", test_region_nested);
  g_test_add_func ("/ScopeProfiler/Region/recursive", test_region_recursive);
  g_test_add_func ("/ScopeProfiler/Region/exit-without-enter", test_region_exit_without_enter);
  g_test_add_func ("/ScopeProfiler/Region/bad-names", test_region_bad_names);
  g_test_add_func ("/ScopeProfiler/Region/mode-disabled", test_region_mode_disabled);
  g_test_add_func ("/ScopeProfiler/Region/mode-count-only", test_region_mode_count_only);
  g_test_add_func ("/ScopeProfiler/Region/mode-in-memory", test_region_mode_in_memory);
  g_test_add_func ("/ScopeProfiler/Region/mode-flush", test_region_mode_flush);
  g_test_add_func ("/ScopeProfiler/Region/scope-macros", test_region_scope_macros);
  g_test_add_func ("/ScopeProfiler/Region/hot-path-allocates-nothing", test_region_hot_path_allocates_nothing);
  g_test_add_func ("/ScopeProfiler/Region/record-on-tracks", test_region_record_on_tracks);

  return g_test_run ();
}
