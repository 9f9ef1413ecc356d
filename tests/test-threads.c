/* test-threads.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>

#include "sp-test-util.h"

#define N_THREADS 8
#define N_CALLS   100000

/* GLib 2.74 has no Barrier; a tiny one keeps threads starting together. */
typedef struct
{
  pthread_mutex_t mutex;
  pthread_cond_t  cond;
  guint  waiting;
  guint  count;
} Barrier;

typedef struct
{
  SpProfileManager *manager;
  SpRegion         *shared;
  guint             index;
  Barrier         *barrier;
} Worker;

static void
barrier_wait (Barrier *barrier)
{
  pthread_mutex_lock (&barrier->mutex);
  if (++barrier->waiting == barrier->count)
    pthread_cond_broadcast (&barrier->cond);
  else
    while (barrier->waiting < barrier->count)
      pthread_cond_wait (&barrier->cond, &barrier->mutex);
  pthread_mutex_unlock (&barrier->mutex);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;
  g_autofree char *name = g_strdup_printf ("private-%u", w->index);
  SpRegion *mine;

  barrier_wait (w->barrier);

  mine = sp_profile_manager_profile_region (w->manager, name);

  for (guint i = 0; i < N_CALLS; i++)
    {
      sp_region_enter (w->shared);
      sp_region_enter (mine);
      sp_region_exit (mine);
      sp_region_exit (w->shared);
    }

  return NULL;
}

static void
test_threads_concurrent (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "threads.h5", NULL);
  g_autoptr(SpConfig) config = sp_test_config (path, 1000);
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  g_autoptr(GArray) shared_starts = NULL;
  g_autoptr(GArray) shared_ends = NULL;
  g_autoptr(GArray) shared_threads = NULL;
  g_autoptr(GArray) thread_index = NULL;
  GThread *threads[N_THREADS];
  Worker workers[N_THREADS];
  Barrier barrier = { .count = N_THREADS };
  GHashTable *per_thread = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  SpRegion *shared;

  pthread_mutex_init (&barrier.mutex, NULL);
  pthread_cond_init (&barrier.cond, NULL);

  sp_profile_manager_setup (manager, config);
  shared = sp_profile_manager_profile_region (manager, "shared");

  for (guint i = 0; i < N_THREADS; i++)
    {
      workers[i] = (Worker) { manager, shared, i, &barrier };
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }
  /* The threads end before finalize: their calls must still be written. */
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (sp_region_get_num_calls (shared), ==, N_THREADS * N_CALLS);
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_autofree char *name = g_strdup_printf ("private-%u", i);
      SpRegion *mine = sp_profile_manager_get_region (manager, name);

      g_assert_nonnull (mine);
      g_assert_cmpuint (sp_region_get_num_calls (mine), ==, N_CALLS);
    }

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  shared_starts = sp_test_read_i64 (path, "/rank0/regions/shared/start_times");
  shared_ends = sp_test_read_i64 (path, "/rank0/regions/shared/end_times");
  shared_threads = sp_test_read_i64 (path, "/rank0/regions/shared/thread_ids");
  g_assert_cmpuint (shared_starts->len, ==, N_THREADS * N_CALLS);
  g_assert_cmpuint (shared_ends->len, ==, N_THREADS * N_CALLS);
  g_assert_cmpuint (shared_threads->len, ==, N_THREADS * N_CALLS);

  /* Every call carries its thread; each thread made exactly N_CALLS, in
   * order, never overlapping its own previous call. */
  {
    GHashTable *last_end = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

    for (guint i = 0; i < shared_starts->len; i++)
      {
        gint64 tid = g_array_index (shared_threads, gint64, i);
        gint64 start = g_array_index (shared_starts, gint64, i);
        gint64 end = g_array_index (shared_ends, gint64, i);
        gint64 *prev = g_hash_table_lookup (last_end, &tid);

        g_assert_cmpint (start, <=, end);
        if (prev != NULL)
          {
            g_assert_cmpint (start, >=, *prev);
            *prev = end;
          }
        else
          g_hash_table_insert (last_end, g_memdup2 (&tid, sizeof tid), g_memdup2 (&end, sizeof end));

        g_hash_table_insert (per_thread, g_memdup2 (&tid, sizeof tid),
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (per_thread, &tid)) + 1));
      }

    g_hash_table_unref (last_end);
  }

  g_assert_cmpuint (g_hash_table_size (per_thread), ==, N_THREADS);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, per_thread);
    while (g_hash_table_iter_next (&iter, &key, &value))
      g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, N_CALLS);
  }

  for (guint i = 0; i < N_THREADS; i++)
    {
      g_autofree char *dataset = g_strdup_printf ("/rank0/regions/private-%u/thread_ids", i);
      g_autoptr(GArray) ids = sp_test_read_i64 (path, dataset);

      g_assert_cmpuint (ids->len, ==, N_CALLS);
      for (guint j = 1; j < ids->len; j++)
        g_assert_cmpint (g_array_index (ids, gint64, j), ==, g_array_index (ids, gint64, 0));
    }

  /* The thread table names every thread that recorded. */
  thread_index = sp_test_read_i64 (path, "/rank0/threads/index");
  g_assert_cmpuint (thread_index->len, ==, N_THREADS);

  g_hash_table_unref (per_thread);
  pthread_mutex_destroy (&barrier.mutex);
  pthread_cond_destroy (&barrier.cond);
}

static gpointer
exit_elsewhere_nonfatal (gpointer data)
{
  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*no open call on this thread*");
  sp_region_exit (data);
  g_test_assert_expected_messages ();
  return NULL;
}

static void
test_threads_exit_on_other_thread_recovers (void)
{
  g_autoptr(SpProfileManager) manager = sp_profile_manager_new ();
  SpRegion *region = sp_profile_manager_profile_region (manager, "crossing");
  GThread *thread;

  sp_region_enter (region);
  thread = g_thread_new ("other", exit_elsewhere_nonfatal, region);
  g_thread_join (thread);
  sp_region_exit (region);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 1);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/Threads/concurrent", test_threads_concurrent);
  g_test_add_func ("/ScopeProfiler/Threads/exit-on-other-thread", test_threads_exit_on_other_thread_recovers);

  return g_test_run ();
}
