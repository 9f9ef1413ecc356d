/* test-profile-manager.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sp-test-util.h"

typedef struct
{
  char             *dir;
  char             *path;
  SpConfig         *config;
  SpProfileManager *manager;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = sp_test_make_tmpdir ();
  f->path = g_build_filename (f->dir, "session.h5", NULL);
  f->config = sp_test_config (f->path, 32);
  f->manager = sp_profile_manager_new ();
  sp_profile_manager_setup (f->manager, f->config);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->manager);
  g_assert_finalize_object (f->config);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_manager_identity (Fixture       *f,
                       gconstpointer  data)
{
  SpRegion *a, *b;
  g_autoptr(GHashTable) all = NULL;

  g_assert_null (sp_profile_manager_get_region (f->manager, "foo"));

  a = sp_profile_manager_profile_region (f->manager, "foo");
  b = sp_profile_manager_profile_region (f->manager, "foo");
  g_assert_true (a == b);
  g_assert_true (sp_profile_manager_get_region (f->manager, "foo") == a);

  /* Calls from every site accumulate into the one region. */
  sp_test_calls (a, 3);
  sp_test_calls (b, 4);
  g_assert_cmpuint (sp_region_get_num_calls (a), ==, 7);

  sp_profile_manager_profile_region (f->manager, "bar");
  all = sp_profile_manager_get_all_regions (f->manager);
  g_assert_cmpuint (g_hash_table_size (all), ==, 2);
  g_assert_true (g_hash_table_lookup (all, "foo") == a);
  g_assert_nonnull (g_hash_table_lookup (all, "bar"));
}

static void
test_manager_setup_clears (Fixture       *f,
                           gconstpointer  data)
{
  SpRegion *a = sp_profile_manager_profile_region (f->manager, "foo");
  g_autoptr(GHashTable) all = NULL;

  sp_test_calls (a, 5);
  sp_profile_manager_setup (f->manager, f->config);

  g_assert_null (sp_profile_manager_get_region (f->manager, "foo"));
  all = sp_profile_manager_get_all_regions (f->manager);
  g_assert_cmpuint (g_hash_table_size (all), ==, 0);

  /* A pointer kept from before stays valid and joins the new session. */
  g_assert_cmpuint (sp_region_get_num_calls (a), ==, 0);
  sp_test_calls (a, 2);
  g_assert_true (sp_profile_manager_get_region (f->manager, "foo") == a);
  g_assert_cmpuint (sp_region_get_num_calls (a), ==, 2);
  g_assert_cmpuint (sp_region_get_n_buffered (a), ==, 2);
}

static void
test_manager_independent (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(SpProfileManager) other = sp_profile_manager_new ();
  g_autofree char *other_path = g_build_filename (f->dir, "other.h5", NULL);
  g_autoptr(SpConfig) other_config = sp_test_config (other_path, 32);
  SpRegion *mine, *theirs;

  sp_profile_manager_setup (other, other_config);

  mine = sp_profile_manager_profile_region (f->manager, "shared name");
  theirs = sp_profile_manager_profile_region (other, "shared name");
  g_assert_true (mine != theirs);

  sp_test_calls (mine, 3);
  sp_test_calls (theirs, 5);
  g_assert_cmpuint (sp_region_get_num_calls (mine), ==, 3);
  g_assert_cmpuint (sp_region_get_num_calls (theirs), ==, 5);
  g_assert_null (sp_profile_manager_get_region (other, "only mine"));
  sp_profile_manager_profile_region (f->manager, "only mine");
  g_assert_null (sp_profile_manager_get_region (other, "only mine"));

  g_assert_true (sp_profile_manager_finalize (f->manager, NULL));
  g_assert_true (sp_profile_manager_finalize (other, NULL));

  {
    g_autoptr(GArray) a = sp_test_read_i64 (f->path, "/rank0/regions/shared name/start_times");
    g_autoptr(GArray) b = sp_test_read_i64 (other_path, "/rank0/regions/shared name/start_times");
    g_assert_cmpuint (a->len, ==, 3);
    g_assert_cmpuint (b->len, ==, 5);
    g_assert_false (sp_test_exists (other_path, "/rank0/regions/only mine"));
  }

  /* A region outliving its manager is inert, not a crash. */
  g_object_ref (theirs);
  g_clear_object (&other);
  sp_test_calls (theirs, 2);
  g_assert_cmpuint (sp_region_get_num_calls (theirs), ==, 0);
  g_assert_finalize_object (theirs);
}

static void
items_changed (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *count)
{
  (*count)++;
}

static void
test_manager_list_model (Fixture       *f,
                         gconstpointer  data)
{
  GListModel *model = sp_profile_manager_get_regions (f->manager);
  g_autoptr(SpRegion) first = NULL;
  guint changes = 0;

  g_assert_cmpuint (g_list_model_get_item_type (model), ==, SP_TYPE_REGION);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed), &changes);

  sp_profile_manager_profile_region (f->manager, "one");
  sp_profile_manager_profile_region (f->manager, "two");
  sp_profile_manager_profile_region (f->manager, "one");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_assert_cmpuint (changes, ==, 2);

  first = g_list_model_get_item (model, 0);
  g_assert_cmpstr (sp_region_get_name (first), ==, "one");

  sp_profile_manager_setup (f->manager, f->config);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_cmpuint (changes, ==, 3);

  g_signal_handlers_disconnect_by_func (model, items_changed, &changes);
}

static void
test_manager_summary (Fixture       *f,
                      gconstpointer  data)
{
  SpRegion *region = sp_profile_manager_profile_region (f->manager, "summed");
  g_autoptr(GArray) durations = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *expected_total = NULL;
  g_autofree char *expected_calls = NULL;
  gint64 total = 0;
  gint64 min = G_MAXINT64, max = 0;
  double mean, m2 = 0;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* In memory, so every duration can be compared with the summary. */
  sp_config_set_flush_to_disk (f->config, FALSE);
  sp_profile_manager_setup (f->manager, f->config);

  for (guint i = 0; i < 200; i++)
    {
      gint64 end;

      sp_region_enter (region);
      end = sp_get_current_time () + 1000 * (i % 7);
      while (sp_get_current_time () < end)
        ;
      sp_region_exit (region);
    }

  durations = sp_test_bytes_to_array (sp_region_get_durations (region));
  g_assert_cmpuint (durations->len, ==, 200);
  for (guint i = 0; i < durations->len; i++)
    {
      gint64 d = g_array_index (durations, gint64, i);
      total += d;
      min = MIN (min, d);
      max = MAX (max, d);
    }
  mean = (double) total / durations->len;
  for (guint i = 0; i < durations->len; i++)
    m2 += pow (g_array_index (durations, gint64, i) - mean, 2);

  summary = sp_profile_manager_get_summary (f->manager);
  g_test_message ("%s", summary);

  g_assert_true (g_str_has_prefix (summary, "Region: summed\n"));
  expected_calls = g_strdup ("  Total Calls : 200\n");
  g_assert_nonnull (strstr (summary, expected_calls));
  g_ascii_formatd (buf, sizeof buf, "%.9g", total / 1e9);
  expected_total = g_strdup_printf ("  Total Time  : %s", buf);
  g_assert_nonnull (strstr (summary, expected_total));
  g_ascii_formatd (buf, sizeof buf, "%.9g", min / 1e9);
  g_assert_nonnull (strstr (summary, buf));
  g_ascii_formatd (buf, sizeof buf, "%.9g", max / 1e9);
  g_assert_nonnull (strstr (summary, buf));
  g_ascii_formatd (buf, sizeof buf, "%.9g", sqrt (m2 / durations->len) / 1e9);
  g_assert_nonnull (strstr (summary, buf));
}

static void
test_manager_summary_includes_flushed (Fixture       *f,
                                       gconstpointer  data)
{
  SpRegion *region = sp_profile_manager_profile_region (f->manager, "many");
  g_autofree char *summary = NULL;

  sp_test_calls (region, 1000);
  g_assert_cmpuint (sp_region_get_n_buffered (region), <, 1000);

  summary = sp_profile_manager_get_summary (f->manager);
  g_assert_nonnull (strstr (summary, "Total Calls : 1000\n"));
  g_assert_nonnull (strstr (summary, "Std Dev"));
}

static void
test_manager_finalize_while_open (Fixture       *f,
                                  gconstpointer  data)
{
  SpRegion *outer = sp_profile_manager_profile_region (f->manager, "outer");
  SpRegion *inner = sp_profile_manager_profile_region (f->manager, "inner");
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GArray) ends = NULL;
  g_autoptr(GError) error = NULL;

  sp_region_enter (outer);
  sp_test_calls (inner, 3);

  g_assert_true (sp_profile_manager_finalize (f->manager, &error));
  g_assert_no_error (error);

  /* Only completed calls, no garbage end time for the open one. */
  starts = sp_test_read_i64 (f->path, "/rank0/regions/inner/start_times");
  g_assert_cmpuint (starts->len, ==, 3);
  ends = sp_test_read_i64 (f->path, "/rank0/regions/outer/end_times");
  g_assert_cmpuint (ends->len, ==, 0);
  g_assert_cmpint (sp_test_read_attr_int (f->path, "/rank0/regions/outer", "num_calls"), ==, 0);

  /* The open call can still be closed, and counts. */
  sp_region_exit (outer);
  g_assert_cmpuint (sp_region_get_num_calls (outer), ==, 1);

  /* A second finalize is harmless and keeps the file. */
  g_assert_true (sp_profile_manager_finalize (f->manager, &error));
  g_assert_no_error (error);
  g_clear_pointer (&starts, g_array_unref);
  starts = sp_test_read_i64 (f->path, "/rank0/regions/inner/start_times");
  g_assert_cmpuint (starts->len, ==, 3);
}

static void
test_manager_second_cycle (Fixture       *f,
                           gconstpointer  data)
{
  SpRegion *region = sp_profile_manager_profile_region (f->manager, "cycle");
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) second = NULL;

  sp_test_calls (region, 100);
  g_assert_true (sp_profile_manager_finalize (f->manager, NULL));
  first = sp_test_read_i64 (f->path, "/rank0/regions/cycle/start_times");
  g_assert_cmpuint (first->len, ==, 100);

  sp_profile_manager_setup (f->manager, f->config);
  sp_test_calls (region, 40);
  g_assert_true (sp_profile_manager_finalize (f->manager, NULL));
  second = sp_test_read_i64 (f->path, "/rank0/regions/cycle/start_times");
  g_assert_cmpuint (second->len, ==, 40);
  g_assert_cmpint (g_array_index (second, gint64, 0), >, g_array_index (first, gint64, 99));
}

static void
test_manager_default (void)
{
  SpProfileManager *a = sp_profile_manager_get_default ();

  g_assert_true (SP_IS_PROFILE_MANAGER (a));
  g_assert_true (a == sp_profile_manager_get_default ());
  g_assert_nonnull (sp_profile_manager_get_config (a));
}

static void
test_manager_metadata (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *value = NULL;
  g_autofree char *clock = NULL;
  SpRegion *region = sp_profile_manager_profile_region (f->manager, "m");

  sp_profile_manager_set_metadata (f->manager, "python_version", "3.11.2");
  sp_profile_manager_set_metadata (f->manager, "label", "run a");
  sp_profile_manager_set_metadata (f->manager, "label", NULL);
  sp_test_calls (region, 1);
  g_assert_true (sp_profile_manager_finalize (f->manager, NULL));

  value = sp_test_read_attr_string (f->path, "/metadata", "python_version");
  g_assert_cmpstr (value, ==, "3.11.2");
  clock = sp_test_read_attr_string (f->path, "/metadata", "clock");
  g_assert_cmpstr (clock, ==, "CLOCK_MONOTONIC");
  g_assert_cmpint (sp_test_read_attr_int (f->path, "/metadata", "start_time_ns"), ==,
                   sp_profile_manager_get_start_time (f->manager));
}

static void
test_manager_fork (Fixture       *f,
                   gconstpointer  data)
{
  SpRegion *region = sp_profile_manager_profile_region (f->manager, "forked");
  g_autofree char *child_path = NULL;
  g_autoptr(GArray) parent_starts = NULL;
  g_autoptr(GArray) child_starts = NULL;
  g_autoptr(GArray) child_threads = NULL;
  gint64 fork_time;
  int status;
  pid_t pid;

  /* Buffer limit 32: the parent has flushed to its spill file by now. */
  sp_test_calls (region, 100);
  fork_time = sp_get_current_time ();

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The child starts its own session: none of the parent's calls, and
       * its flushes must not touch the parent's spill file. */
      gboolean ok;

      if (sp_region_get_num_calls (region) != 0)
        _exit (3);
      sp_test_calls (region, 50);
      ok = sp_profile_manager_finalize (f->manager, NULL);
      _exit (ok ? 0 : 4);
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  sp_test_calls (region, 10);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 110);
  g_assert_true (sp_profile_manager_finalize (f->manager, NULL));

  parent_starts = sp_test_read_i64 (f->path, "/rank0/regions/forked/start_times");
  g_assert_cmpuint (parent_starts->len, ==, 110);
  for (guint i = 1; i < parent_starts->len; i++)
    g_assert_cmpint (g_array_index (parent_starts, gint64, i), >, g_array_index (parent_starts, gint64, i - 1));

  child_path = g_strdup_printf ("%s/session.%d.h5", f->dir, (int) pid);
  child_starts = sp_test_read_i64 (child_path, "/rank0/regions/forked/start_times");
  g_assert_nonnull (child_starts);
  g_assert_cmpuint (child_starts->len, ==, 50);
  g_assert_cmpint (g_array_index (child_starts, gint64, 0), >=, fork_time);
  g_assert_cmpint (sp_test_read_attr_int (child_path, "/metadata", "pid"), ==, pid);
  child_threads = sp_test_read_i64 (child_path, "/rank0/threads/native_id");
  g_assert_cmpint (g_array_index (child_threads, gint64, 0), ==, pid);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ScopeProfiler/ProfileManager/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("identity", test_manager_identity);
  ADD ("setup-clears", test_manager_setup_clears);
  ADD ("independent", test_manager_independent);
  ADD ("list-model", test_manager_list_model);
  ADD ("summary", test_manager_summary);
  ADD ("summary-includes-flushed", test_manager_summary_includes_flushed);
  ADD ("finalize-while-open", test_manager_finalize_while_open);
  ADD ("second-cycle", test_manager_second_cycle);
  ADD ("metadata", test_manager_metadata);
  ADD ("fork", test_manager_fork);
  g_test_add_func ("/ScopeProfiler/ProfileManager/default", test_manager_default);

#undef ADD

  return g_test_run ();
}
