/* test-misuse.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A profiler runs inside someone else's program, which will misuse it:
 * unbalanced enter/exit, calls crossing threads, sessions reset while calls
 * are open, stale region pointers, strange names, tiny buffers, millions of
 * regions, threads that die with buffered calls. Each test checks what the
 * user relies on: no crash, no lost call, and a clear g_critical or GError
 * for what cannot be honoured.
 *
 * What other files already cover is not repeated here: plain exit without
 * enter and the empty/NULL/one non-UTF-8 name (test-region.c), names with
 * '/', '.' and control characters in the file layout (test-session-file.c),
 * an exit on another thread (test-threads.c), a buffer limit of 0
 * (test-config.c), finalize with open calls and finalize twice in a row
 * (test-profile-manager.c).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <pthread.h>
#include <string.h>

#include "sp-h5-util-private.h"
#include "sp-spill-private.h"
#include "sp-test-util.h"

/* AddressSanitizer and ThreadSanitizer pad or shadow every allocation:
 * memory bounds do not apply. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
# define SANITIZED 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#  define SANITIZED 1
# endif
#endif
#ifndef SANITIZED
# define SANITIZED 0
#endif

static void
calls (SpRegion *region,
       guint     n)
{
  for (guint i = 0; i < n; i++)
    {
      sp_region_enter (region);
      sp_region_exit (region);
    }
}

/* What a reader of the file sees: the completed calls of @name. */
static guint64
file_calls (const char *path,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_file (path, NULL, &error);
  g_autoptr(SpRegionStats) stats = NULL;
  guint index;

  g_assert_no_error (error);
  if (!sp_session_lookup_region (session, name, &index))
    return 0;

  stats = sp_session_get_region_stats (session, index);
  return sp_region_stats_get_count (stats);
}

static guint
count_spill_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".spill"))
      n++;

  return n;
}

/* ---------------------------------------------------------------------- */
/* Unbalanced calls and threads */

/* pthread rather than GMutex/GCond: ThreadSanitizer sees them, so the
 * order they impose is known to it. */
typedef struct
{
  SpRegion        *region;
  pthread_mutex_t  lock;
  pthread_cond_t   cond;
  int              step;
} Handshake;

static void
handshake_wait (Handshake *h,
                int        step)
{
  pthread_mutex_lock (&h->lock);
  while (h->step < step)
    pthread_cond_wait (&h->cond, &h->lock);
  pthread_mutex_unlock (&h->lock);
}

static void
handshake_set (Handshake *h,
               int        step)
{
  pthread_mutex_lock (&h->lock);
  h->step = step;
  pthread_cond_broadcast (&h->cond);
  pthread_mutex_unlock (&h->lock);
}

static gpointer
enter_wait_exit (gpointer data)
{
  Handshake *h = data;

  sp_region_enter (h->region);
  handshake_set (h, 1);
  handshake_wait (h, 2);
  sp_region_exit (h->region);

  return NULL;
}

/* A stray exit on one thread must not close the call another thread has
 * open on the same region. */
static void
test_misuse_exit_while_other_thread_open (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 100);
  Handshake h = { sp_profile_manager_profile_region (manager, "shared") };
  GThread *thread;

  pthread_mutex_init (&h.lock, NULL);
  pthread_cond_init (&h.cond, NULL);

  thread = g_thread_new ("holder", enter_wait_exit, &h);
  handshake_wait (&h, 1);

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*\"shared\" has no open call*");
  sp_region_exit (h.region);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (sp_region_get_num_calls (h.region), ==, 0);

  handshake_set (&h, 2);
  g_thread_join (thread);

  g_assert_cmpuint (sp_region_get_num_calls (h.region), ==, 1);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpuint (file_calls (path, "shared"), ==, 1);

  pthread_mutex_destroy (&h.lock);
  pthread_cond_destroy (&h.cond);
}

/* With a buffer of one call every exit flushes: a stray exit in between
 * must not write anything to the spill file or lose what was there. */
static void
test_misuse_exit_without_enter_flushing (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 1);
  SpRegion *region = sp_profile_manager_profile_region (manager, "flushing");
  SpRegion *outer = sp_profile_manager_profile_region (manager, "outer");

  calls (region, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*\"flushing\" has no open call*");
      sp_region_exit (region);
      g_test_assert_expected_messages ();
    }

  /* Exits in the wrong order: the inner exit closes nothing of the outer. */
  sp_region_enter (outer);
  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*\"flushing\" has no open call*");
  sp_region_exit (region);
  g_test_assert_expected_messages ();
  sp_region_exit (outer);
  calls (region, 2);

  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 5);
  g_assert_cmpuint (sp_region_get_num_calls (outer), ==, 1);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpuint (file_calls (path, "flushing"), ==, 5);
  g_assert_cmpuint (file_calls (path, "outer"), ==, 1);
  g_assert_cmpuint (count_spill_files (dir), ==, 0);
}

typedef struct
{
  SpRegion *region;
  SpRegion *left_open;
  guint     n;
} Worker;

static gpointer
worker_then_die (gpointer data)
{
  Worker *w = data;

  calls (w->region, w->n);
  /* Dies with a call still open. */
  sp_region_enter (w->left_open);

  return NULL;
}

/* Threads that end while their calls are still buffered (or open): every
 * completed call is counted and written, the open ones are left out. */
static void
check_threads_exit_with_buffered_calls (guint buffer_limit)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, buffer_limit);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  Worker w = {
    sp_profile_manager_profile_region (manager, "work"),
    sp_profile_manager_profile_region (manager, "left open"),
    100,
  };
  GThread *threads[16];
  const guint *ranks;
  guint n_ranks, n_threads = 0;
  const gint64 *thread_ids;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("short-lived", worker_then_die, &w);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  /* More threads come and go after them. */
  for (guint i = 0; i < 64; i++)
    g_thread_join (g_thread_new ("later", worker_then_die, &w));

  g_assert_cmpuint (sp_region_get_num_calls (w.region), ==, 80 * 100);
  g_assert_cmpuint (sp_region_get_num_calls (w.left_open), ==, 0);

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_calls (path, "work"), ==, 80 * 100);
  g_assert_cmpuint (file_calls (path, "left open"), ==, 0);

  /* Each thread's calls are still its own. */
  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  ranks = sp_session_get_ranks (session, &n_ranks);
  g_assert_cmpuint (n_ranks, ==, 1);
  thread_ids = sp_session_get_threads (session, ranks[0], &n_threads);
  g_assert_nonnull (thread_ids);
  g_assert_cmpuint (n_threads, ==, 80);
}

static void
test_misuse_threads_exit_buffered (void)
{
  check_threads_exit_with_buffered_calls (1000);
}

static void
test_misuse_threads_exit_partly_flushed (void)
{
  /* 100 calls per thread: 14 flushes of 7 and 2 calls still buffered. */
  check_threads_exit_with_buffered_calls (7);
}

/* ---------------------------------------------------------------------- */
/* Sessions reset under open calls, stale pointers */

static gpointer
enter_wait_exit_twice (gpointer data)
{
  Handshake *h = data;

  enter_wait_exit (h);
  /* A call that begins in the new session counts there. */
  calls (h->region, 1);

  return NULL;
}

static void
test_misuse_setup_while_open (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *first = g_build_filename (dir, "first.h5", NULL);
  g_autofree char *second = g_build_filename (dir, "second.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (first, 2);
  g_autoptr(SpConfig) config = sp_test_config (second, 2);
  SpRegion *outer = sp_profile_manager_profile_region (manager, "outer");
  SpRegion *inner = sp_profile_manager_profile_region (manager, "inner");
  Handshake h = { sp_profile_manager_profile_region (manager, "elsewhere") };
  GThread *thread;

  pthread_mutex_init (&h.lock, NULL);
  pthread_cond_init (&h.cond, NULL);

  calls (inner, 5);  /* flushed to the first session's spill file */
  sp_region_enter (outer);
  sp_region_enter (inner);
  thread = g_thread_new ("holder", enter_wait_exit_twice, &h);
  handshake_wait (&h, 1);

  sp_profile_manager_setup (manager, config);

  /* The calls opened before setup() close quietly and count nowhere. */
  sp_region_exit (inner);
  sp_region_exit (outer);
  handshake_set (&h, 2);
  g_thread_join (thread);

  g_assert_cmpuint (sp_region_get_num_calls (inner), ==, 0);
  g_assert_cmpuint (sp_region_get_num_calls (outer), ==, 0);
  g_assert_cmpuint (sp_region_get_num_calls (h.region), ==, 1);

  /* Nothing is off balance afterwards. */
  sp_region_enter (outer);
  calls (inner, 3);
  sp_region_exit (outer);
  g_assert_cmpuint (sp_region_get_num_calls (outer), ==, 1);
  g_assert_cmpuint (sp_region_get_num_calls (inner), ==, 3);

  g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*\"outer\" has no open call*");
  sp_region_exit (outer);
  g_test_assert_expected_messages ();

  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpuint (file_calls (second, "outer"), ==, 1);
  g_assert_cmpuint (file_calls (second, "inner"), ==, 3);
  g_assert_cmpuint (file_calls (second, "elsewhere"), ==, 1);

  /* The abandoned session wrote nothing and left no spill file. */
  g_assert_false (g_file_test (first, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_spill_files (dir), ==, 0);

  pthread_mutex_destroy (&h.lock);
  pthread_cond_destroy (&h.cond);
}

/* Pointers a C caller kept across setup() calls that change what is
 * recorded, and across the end of the manager itself. */
static void
test_misuse_stale_pointers (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  SpProfileManager *manager = sp_test_manager_new (path, 4);
  g_autoptr(SpConfig) disabled = sp_test_config (path, 4);
  g_autoptr(SpConfig) count_only = sp_test_config (path, 4);
  g_autoptr(SpConfig) tracing = sp_test_config (path, 4);
  g_autoptr(SpRegion) kept = g_object_ref (sp_profile_manager_profile_region (manager, "kept"));
  SpRegion *unused = sp_profile_manager_profile_region (manager, "unused");

  sp_config_set_enabled (disabled, FALSE);
  sp_config_set_time_trace (count_only, FALSE);

  calls (kept, 10);

  sp_profile_manager_setup (manager, disabled);
  calls (kept, 3);
  g_assert_cmpuint (sp_region_get_num_calls (kept), ==, 0);

  sp_profile_manager_setup (manager, count_only);
  calls (kept, 4);
  g_assert_cmpuint (sp_region_get_num_calls (kept), ==, 4);
  g_assert_cmpuint (sp_region_get_n_buffered (kept), ==, 0);

  sp_profile_manager_setup (manager, tracing);
  /* Entered before the pointer's region rejoins, left after. */
  sp_region_enter (kept);
  g_assert_true (sp_profile_manager_get_region (manager, "kept") == kept);
  sp_region_exit (kept);
  g_assert_cmpuint (sp_region_get_num_calls (kept), ==, 1);
  /* Never used since setup(): not part of this session. */
  g_assert_null (sp_profile_manager_get_region (manager, "unused"));
  calls (unused, 1);
  g_assert_true (sp_profile_manager_get_region (manager, "unused") == unused);

  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpuint (file_calls (path, "kept"), ==, 1);
  g_assert_cmpuint (file_calls (path, "unused"), ==, 1);

  /* The manager goes away; a region the caller holds a reference to
   * records nothing, quietly, open call or not. */
  sp_region_enter (kept);
  g_assert_finalize_object (manager);
  sp_region_exit (kept);
  calls (kept, 5);
  sp_region_exit (kept);
  g_assert_cmpuint (sp_region_get_num_calls (kept), ==, 0);
  g_assert_cmpstr (sp_region_get_name (kept), ==, "kept");
}

static guint
scoped_work (void)
{
  SP_PROFILE_SCOPE ("misuse scoped");
  return 1;
}

static void
scope_across_setup (SpProfileManager *manager,
                    SpConfig         *config)
{
  SP_PROFILE_SCOPE ("misuse spanning");
  sp_profile_manager_setup (manager, config);
}

/* SP_PROFILE_SCOPE caches its region in a static: the cache outlives
 * setup(), and a scope that is open while setup() runs closes cleanly. */
static void
test_misuse_scope_sites_across_sessions (void)
{
  SpProfileManager *manager = sp_profile_manager_get_default ();
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *first = g_build_filename (dir, "first.h5", NULL);
  g_autofree char *second = g_build_filename (dir, "second.h5", NULL);
  g_autoptr(SpConfig) first_config = sp_test_config (first, 2);
  g_autoptr(SpConfig) second_config = sp_test_config (second, 2);
  g_autoptr(SpConfig) disabled = sp_test_config (second, 2);
  SpRegion *scoped, *spanning;

  sp_config_set_enabled (disabled, FALSE);

  sp_profile_manager_setup (manager, first_config);
  for (guint i = 0; i < 3; i++)
    scoped_work ();
  scoped = sp_profile_manager_get_region (manager, "misuse scoped");
  g_assert_nonnull (scoped);
  g_assert_cmpuint (sp_region_get_num_calls (scoped), ==, 3);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpuint (file_calls (first, "misuse scoped"), ==, 3);

  /* The scope is open across setup(): it belongs to the first session. */
  scope_across_setup (manager, disabled);
  spanning = sp_profile_manager_profile_region (manager, "misuse spanning");
  g_assert_cmpuint (sp_region_get_num_calls (spanning), ==, 0);

  /* Disabled: the cached site records nothing. */
  for (guint i = 0; i < 5; i++)
    scoped_work ();
  g_assert_cmpuint (sp_region_get_num_calls (scoped), ==, 0);

  scope_across_setup (manager, second_config);
  for (guint i = 0; i < 2; i++)
    scoped_work ();
  g_assert_true (sp_profile_manager_get_region (manager, "misuse scoped") == scoped);
  g_assert_cmpuint (sp_region_get_num_calls (scoped), ==, 2);
  g_assert_cmpuint (sp_region_get_num_calls (spanning), ==, 0);

  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  g_assert_cmpuint (file_calls (second, "misuse scoped"), ==, 2);
  g_assert_cmpuint (file_calls (second, "misuse spanning"), ==, 0);
}

/* finalize() twice with calls in between, and finalize_to_path() after a
 * finalize: the file written first stays as it was. */
static void
test_misuse_finalize_twice_with_calls (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autofree char *elsewhere = g_build_filename (dir, "elsewhere.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 2);
  g_autoptr(SpConfig) config = sp_test_config (path, 2);
  SpRegion *region = sp_profile_manager_profile_region (manager, "twice");
  g_autoptr(GError) error = NULL;
  guint n_buffered;

  calls (region, 5);
  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  /* Still counted, no longer timestamped: the buffer does not grow. */
  n_buffered = sp_region_get_n_buffered (region);
  calls (region, 4);
  g_assert_cmpuint (sp_region_get_num_calls (region), ==, 9);
  g_assert_cmpuint (sp_region_get_n_buffered (region), ==, n_buffered);

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  sp_profile_manager_finalize_to_path (manager, elsewhere, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_calls (path, "twice"), ==, 5);
  g_assert_cmpuint (count_spill_files (dir), ==, 0);

  sp_profile_manager_setup (manager, config);
  calls (region, 2);
  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_calls (path, "twice"), ==, 2);
}

/* ---------------------------------------------------------------------- */
/* Names */

static void
test_misuse_names_invalid_utf8 (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 4);
  static const char * const invalid[] = {
    "\xc0\x80",              /* overlong NUL */
    "\xe0\x80\xaf",          /* overlong '/' */
    "\xed\xa0\x80",          /* UTF-16 surrogate */
    "\xf4\x90\x80\x80",      /* beyond U+10FFFF */
    "truncated \xe2\x82",
    "\x80 lone continuation",
    "\xfe\xff",
    "ok then \xff",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_expect_message ("ScopeProfiler", G_LOG_LEVEL_CRITICAL, "*UTF-8*");
      g_assert_null (sp_profile_manager_profile_region (manager, invalid[i]));
      g_test_assert_expected_messages ();
      g_assert_null (sp_profile_manager_get_region (manager, invalid[i]));
    }

  /* Nothing was created behind the user's back, and recording goes on. */
  calls (sp_profile_manager_profile_region (manager, "valid"), 1);
  g_assert_true (sp_profile_manager_finalize (manager, NULL));
  {
    g_autoptr(SpSession) session = sp_session_new_from_file (path, NULL, NULL);

    g_assert_nonnull (session);
    g_assert_cmpuint (sp_session_get_n_regions (session), ==, 1);
  }
}

/* Names whose escaped forms could collide in the file come back distinct
 * and exact through the reader. */
static void
test_misuse_names_round_trip (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 3);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const names[] = {
    "/", "//", "a/", "/a", "a/b", "a%2Fb", "a%2fb",
    ".", "..", "%2E", "%2e", "%252E", "%", "%%", "%2", "%25", "%2F",
    "\x01\x02\x1f\x7f", "\t", "\n", "\r\n", " ", "\x1b[31mred\x1b[0m",
    "é", "名前", "\xe2\x80\x8b", "😀", "\357\273\277bom",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      SpRegion *region = sp_profile_manager_profile_region (manager, names[i]);

      g_assert_nonnull (region);
      g_assert_cmpstr (sp_region_get_name (region), ==, names[i]);
      calls (region, i + 1);
    }

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sp_session_get_n_regions (session), ==, G_N_ELEMENTS (names));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(SpRegionStats) stats = NULL;
      guint index;

      g_assert_true (sp_session_lookup_region (session, names[i], &index));
      g_assert_cmpstr (sp_session_get_region_name (session, index), ==, names[i]);
      stats = sp_session_get_region_stats (session, index);
      g_assert_cmpuint (sp_region_stats_get_count (stats), ==, i + 1);
    }
}

/* A 1 MB name: more than HDF5 fits in an object header message. The calls
 * are written under the exact name, or finalize() says why and keeps
 * them for a retry. */
static void
test_misuse_names_huge (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 2);
  g_autofree char *name = g_malloc (1024 * 1024 + 1);
  g_autoptr(GError) error = NULL;
  SpRegion *region, *small;

  /* Valid UTF-8 all the way, with a slash that needs escaping. */
  for (gsize i = 0; i < 1024 * 1024; i++)
    name[i] = "abcdefgh/ijklmno"[i % 16];
  name[1024 * 1024] = '\0';

  region = sp_profile_manager_profile_region (manager, name);
  g_assert_nonnull (region);
  g_assert_true (sp_profile_manager_profile_region (manager, name) == region);
  g_assert_cmpuint (strlen (sp_region_get_name (region)), ==, 1024 * 1024);
  small = sp_profile_manager_profile_region (manager, "small");
  calls (region, 5);
  calls (small, 1);

  if (sp_profile_manager_finalize (manager, &error))
    {
      g_autoptr(SpSession) session = NULL;
      g_autoptr(SpRegionStats) stats = NULL;
      guint index;

      g_assert_no_error (error);
      session = sp_session_new_from_file (path, NULL, &error);
      if (g_error_matches (error, SP_ERROR, SP_ERROR_INVALID_FILE))
        {
          /* Known bug: the writer writes names the reader refuses (it
           * stops at 64 KiB, sp-h5-reader.c MAX_NAME_LENGTH). The calls
           * are in the file all the same. */
          g_autofree char *escaped = sp_h5_escape_name (name);
          g_autofree char *group = g_strconcat ("/rank0/regions/", escaped, NULL);
          g_autofree char *exact = sp_test_read_attr_string (path, group, "name");

          g_assert_cmpstr (exact, ==, name);
          g_assert_cmpint (sp_test_read_attr_int (path, group, "num_calls"), ==, 5);
          g_test_incomplete ("the reader refuses a 1 MB region name the writer wrote");
          return;
        }
      g_assert_no_error (error);
      g_assert_true (sp_session_lookup_region (session, name, &index));
      stats = sp_session_get_region_stats (session, index);
      g_assert_cmpuint (sp_region_stats_get_count (stats), ==, 5);
      g_assert_cmpuint (file_calls (path, "small"), ==, 1);
    }
  else
    {
      /* A clear error, and nothing lost. */
      g_assert_nonnull (error);
      g_test_message ("1 MB name refused: %s", error->message);
      g_assert_true (g_strstr_len (error->message, -1, "name") != NULL);
      g_assert_cmpuint (sp_region_get_num_calls (region), ==, 5);
      g_assert_cmpuint (sp_region_get_num_calls (small), ==, 1);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

/* ---------------------------------------------------------------------- */
/* Buffers and sizes */

static gpointer
nested_worker (gpointer data)
{
  SpRegion **regions = data;

  for (guint i = 0; i < 50; i++)
    {
      sp_region_enter (regions[0]);
      sp_region_enter (regions[1]);
      sp_region_enter (regions[1]);  /* recursion */
      sp_region_exit (regions[1]);
      sp_region_exit (regions[1]);
      sp_region_exit (regions[0]);
    }

  return NULL;
}

/* Every call of every thread goes through the spill file. */
static void
test_misuse_buffer_limit_one (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 1);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  SpRegion *regions[2] = {
    sp_profile_manager_profile_region (manager, "outer"),
    sp_profile_manager_profile_region (manager, "inner"),
  };
  g_autofree char *spill = NULL;
  GThread *threads[4];
  guint n_lanes;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("nested", nested_worker, regions);
  nested_worker (regions);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (sp_region_get_num_calls (regions[0]), ==, 5 * 50);
  g_assert_cmpuint (sp_region_get_num_calls (regions[1]), ==, 5 * 100);
  g_assert_cmpuint (sp_region_get_n_buffered (regions[0]), <=, 5);

  spill = sp_profile_manager_get_spill_path (manager);
  g_assert_nonnull (spill);
  g_assert_true (g_file_test (spill, G_FILE_TEST_EXISTS));

  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (spill, G_FILE_TEST_EXISTS));

  session = sp_session_new_from_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (file_calls (path, "outer"), ==, 5 * 50);
  g_assert_cmpuint (file_calls (path, "inner"), ==, 5 * 100);

  /* The nesting survives the round trip through the spill file. */
  n_lanes = sp_session_get_n_lanes (session);
  g_assert_cmpuint (n_lanes, ==, 5);
  for (guint l = 0; l < n_lanes; l++)
    {
      const guint32 *depths = NULL;
      gsize n = sp_session_peek_lane (session, l, NULL, NULL, NULL, &depths, NULL);

      g_assert_cmpuint (n, ==, 150);
      for (gsize i = 0; i < n; i += 3)
        {
          g_assert_cmpuint (depths[i], ==, 0);
          g_assert_cmpuint (depths[i + 1], ==, 1);
          g_assert_cmpuint (depths[i + 2], ==, 2);
        }
    }
}

static gsize
resident_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmRSS:");
  if (line == NULL)
    return 0;

  return (gsize) g_ascii_strtoull (line + 6, NULL, 10) * 1024;
}

static guint
count_links (const char *path,
             const char *group)
{
  hid_t file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t g;
  H5G_info_t info = { 0 };

  g_assert_cmpint (file, >=, 0);
  g = H5Gopen2 (file, group, H5P_DEFAULT);
  g_assert_cmpint (g, >=, 0);
  g_assert_cmpint (H5Gget_info (g, &info), >=, 0);
  H5Gclose (g);
  H5Fclose (file);

  return (guint) info.nlinks;
}

/* Millions of distinct names: memory grows by a bounded amount per region
 * and lookups stay right. Writing a session file of millions of regions
 * takes HDF5 far longer than a test may (about a millisecond per region
 * group), so finalize() runs on a later session that uses a slice of them
 * (all of them with -m slow): the regions that sat out are not written,
 * and nothing of the first session leaks into the file. */
static void
test_misuse_many_regions (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 4);
  g_autoptr(SpConfig) config = sp_test_config (path, 4);
  g_autoptr(GError) error = NULL;
  guint n = 2000000;
  guint n_written = 5000;
  gsize before, after;
  gint64 begin;
  char name[32];

  if (RUNNING_ON_VALGRIND || g_getenv ("SP_TEST_QUICK") != NULL)
    {
      n = 20000;
      n_written = 500;
    }
  if (g_getenv ("SP_TEST_MANY_REGIONS") != NULL)
    n = (guint) g_ascii_strtoull (g_getenv ("SP_TEST_MANY_REGIONS"), NULL, 10);
  if (g_test_slow ())
    n_written = n;
  n_written = MIN (n_written, n);

  before = resident_bytes ();
  begin = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      SpRegion *region;

      g_snprintf (name, sizeof name, "region %u", i);
      region = sp_profile_manager_profile_region (manager, name);
      sp_region_enter (region);
      sp_region_exit (region);
    }

  after = resident_bytes ();
  g_test_message ("%u regions: %.0f bytes each, %.1f s",
                  n, (double) (after - before) / n,
                  (g_get_monotonic_time () - begin) / 1e6);
  /* A region, its name, its hash table slot, its thread record and one
   * buffered call. */
  if (before > 0 && after > before && !RUNNING_ON_VALGRIND && !SANITIZED)
    g_assert_cmpuint ((after - before) / n, <, 1024);

  for (guint i = 0; i < n; i += n / 100)
    {
      g_snprintf (name, sizeof name, "region %u", i);
      g_assert_cmpuint (sp_region_get_num_calls (sp_profile_manager_get_region (manager, name)), ==, 1);
    }
  {
    g_autoptr(GHashTable) all = sp_profile_manager_get_all_regions (manager);

    g_assert_cmpuint (g_hash_table_size (all), ==, n);
  }

  /* A new session: the regions come back without growing memory. */
  sp_profile_manager_setup (manager, config);
  before = resident_bytes ();
  for (guint i = 0; i < n_written; i++)
    {
      g_snprintf (name, sizeof name, "region %u", i);
      calls (sp_profile_manager_profile_region (manager, name), 2);
    }
  after = resident_bytes ();
  if (before > 0 && after > before && !RUNNING_ON_VALGRIND && !SANITIZED)
    g_assert_cmpuint (after - before, <, (gsize) n_written * 1024 + 16 * 1024 * 1024);

  begin = g_get_monotonic_time ();
  g_assert_true (sp_profile_manager_finalize (manager, &error));
  g_assert_no_error (error);
  g_test_message ("finalize of %u regions: %.1f s", n_written, (g_get_monotonic_time () - begin) / 1e6);

  g_assert_cmpuint (count_links (path, "/rank0/regions"), ==, n_written);
  g_snprintf (name, sizeof name, "/rank0/regions/region %u", n_written - 1);
  g_assert_cmpint (sp_test_read_attr_int (path, name, "num_calls"), ==, 2);
}

/* ---------------------------------------------------------------------- */
/* Damaged spill files */

static void
write_spill (const char *path,
             GByteArray *records)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  struct {
    char    magic[8];
    guint32 version;
    guint32 bom;
    gint64  pid;
    gint64  start_time;
    guint64 records_offset;
    guint64 sealed_end;
  } header = { SP_SPILL_MAGIC, SP_SPILL_VERSION, SP_SPILL_BOM, 1234, 1000, SP_SPILL_RECORDS_OFFSET, 0 };

  g_byte_array_append (data, (const guint8 *) &header, sizeof header);
  g_byte_array_set_size (data, SP_SPILL_RECORDS_OFFSET);
  memset (data->data + sizeof header, 0, SP_SPILL_RECORDS_OFFSET - sizeof header);
  if (records != NULL)
    g_byte_array_append (data, records->data, records->len);
  g_assert_true (g_file_set_contents (path, (const char *) data->data, data->len, NULL));
}

static void
add_record (GByteArray    *records,
            guint32        type,
            gconstpointer  payload,
            guint64        length)
{
  static const guint8 zeros[8];
  guint32 head[2] = { type, 0 };

  g_byte_array_append (records, (const guint8 *) head, sizeof head);
  g_byte_array_append (records, (const guint8 *) &length, sizeof length);
  g_byte_array_append (records, payload, length);
  if (length % 8 != 0)
    g_byte_array_append (records, zeros, 8 - length % 8);
}

static void
add_region (GByteArray *records,
            guint32     index,
            const char *name)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  guint32 head[2] = { index, 0 };

  g_byte_array_append (payload, (const guint8 *) head, sizeof head);
  g_byte_array_append (payload, (const guint8 *) name, strlen (name));
  add_record (records, 2, payload->data, payload->len);
}

static void
add_block (GByteArray *records,
           guint32     index,
           gint64      start,
           gint64      end)
{
  struct {
    guint32 region;
    guint32 n;
    gint64  thread;
    gint64  start;
    gint64  end;
  } block = { index, 1, 0, start, end };

  add_record (records, 4, &block, sizeof block);
}

/* Found by fuzzing: a region index of 2^32-1 made the reader size a table
 * of 0 entries (index + 1 overflows) and read past it; huge indices made
 * it allocate gigabytes. */
static void
test_misuse_recover_region_index_out_of_range (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  static const guint32 indices[] = { G_MAXUINT32, G_MAXUINT32 - 1, 1u << 30 };

  for (guint i = 0; i < G_N_ELEMENTS (indices); i++)
    {
      g_autoptr(GByteArray) records = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      add_region (records, indices[i], "far away");
      add_block (records, indices[i], 10, 20);
      write_spill (spill, records);

      g_assert_false (sp_profile_manager_recover (spill, out, &error));
      g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

/* Found by fuzzing: blocks whose calls end before they start, last longer
 * than an int64 of nanoseconds, or belong to a thread index below -1 were
 * recovered into session files that every reader refuses. They are damage
 * and reported as such. */
static void
test_misuse_recover_damaged_blocks (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  static const gint64 intervals[][2] = {
    { 100, 50 },
    { G_MININT64 + 61, 71 },
    { -5, G_MAXINT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (intervals); i++)
    {
      g_autoptr(GByteArray) records = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      add_region (records, 0, "damaged");
      add_block (records, 0, 10, 20);
      add_block (records, 0, intervals[i][0], intervals[i][1]);
      write_spill (spill, records);

      g_assert_false (sp_profile_manager_recover (spill, out, &error));
      g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }

  {
    g_autoptr(GByteArray) records = g_byte_array_new ();
    g_autoptr(GError) error = NULL;
    struct {
      guint32 region;
      guint32 n;
      gint64  thread;
      gint64  start;
      gint64  end;
    } block = { 0, 1, -2, 10, 20 };

    add_region (records, 0, "damaged");
    add_record (records, 4, &block, sizeof block);
    write_spill (spill, records);

    g_assert_false (sp_profile_manager_recover (spill, out, &error));
    g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
  }
}

/* Regions are announced to the spill file when they first flush, so a run
 * killed before region 0 ever flushed leaves a spill file that names only
 * region 1 and 3. Found by fuzzing: recovering it crashed in
 * sp_writer_region_free(NULL) (fixed in sp-h5-writer.c). */
static void
test_misuse_recover_sparse_regions (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  g_autoptr(GByteArray) records = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  add_region (records, 1, "flushed");
  add_block (records, 1, 10, 20);
  add_region (records, 3, "also flushed");
  add_block (records, 3, 30, 40);
  write_spill (spill, records);

  g_assert_true (sp_profile_manager_recover (spill, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_links (out, "/rank0/regions"), ==, 2);
  g_assert_cmpuint (file_calls (out, "flushed"), ==, 1);
  g_assert_cmpuint (file_calls (out, "also flushed"), ==, 1);
}

/* The same through the library itself: region 0 never flushes, region 1
 * does, and the process dies. Everything flushed comes back. */
static void
test_misuse_recover_after_partial_flush (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "run.h5", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  g_autoptr(SpProfileManager) manager = sp_test_manager_new (path, 2);
  g_autofree char *spill = NULL;
  g_autofree char *copy = g_build_filename (dir, "copy.spill", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  SpRegion *flushed;
  gsize length;

  calls (sp_profile_manager_profile_region (manager, "never flushed"), 1);
  flushed = sp_profile_manager_profile_region (manager, "flushed");
  calls (flushed, 5);
  g_assert_cmpuint (sp_region_get_n_buffered (flushed), <, 5);

  /* What a crash right now would leave behind. */
  spill = sp_profile_manager_get_spill_path (manager);
  g_assert_true (g_file_get_contents (spill, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (copy, contents, length, NULL));

  g_assert_true (sp_profile_manager_recover (copy, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_calls (out, "flushed"), ==, 5 - sp_region_get_n_buffered (flushed));
  g_assert_cmpuint (file_calls (out, "never flushed"), ==, 0);
}

/* Spill files of both versions, written by hand. Version 1 (before the
 * file could become the session): a 32-byte header, the records right
 * after it. Version 2: a 48-byte header that says where the records start
 * and, while the file is being turned into a session, where they end. */
static void
write_spill_header (const char *path,
                    guint32     version,
                    guint64     records_offset,
                    guint64     sealed_end,
                    GByteArray *records,
                    GByteArray *after)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  struct {
    char    magic[8];
    guint32 version;
    guint32 bom;
    gint64  pid;
    gint64  start_time;
    guint64 records_offset;
    guint64 sealed_end;
  } header = { SP_SPILL_MAGIC, version, SP_SPILL_BOM, 1234, 1000, records_offset, sealed_end };
  gsize header_size = version == 1 ? 32 : sizeof header;
  gsize start = version == 1 ? 32 : records_offset;

  g_byte_array_append (data, (const guint8 *) &header, header_size);
  if (start > data->len)
    {
      gsize old = data->len;

      g_byte_array_set_size (data, start);
      memset (data->data + old, 0, start - old);
    }
  if (records != NULL)
    g_byte_array_append (data, records->data, records->len);
  if (after != NULL)
    g_byte_array_append (data, after->data, after->len);
  g_assert_true (g_file_set_contents (path, (const char *) data->data, data->len, NULL));
}

static void
add_block_of (GByteArray *records,
              guint32     index,
              gint64      thread,
              guint       n,
              gint64      first_start)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  guint32 head[2] = { index, n };

  g_byte_array_append (payload, (const guint8 *) head, sizeof head);
  g_byte_array_append (payload, (const guint8 *) &thread, sizeof thread);
  for (guint i = 0; i < n; i++)
    {
      gint64 start = first_start + 100 * i;
      g_byte_array_append (payload, (const guint8 *) &start, sizeof start);
    }
  for (guint i = 0; i < n; i++)
    {
      gint64 end = first_start + 100 * i + 50;
      g_byte_array_append (payload, (const guint8 *) &end, sizeof end);
    }
  add_record (records, 4, payload->data, payload->len);
}

/* The recovered calls of @name, as start times. */
static GArray *
recovered_starts (const char *out,
                  const char *name)
{
  g_autofree char *dataset = g_strdup_printf ("/rank0/regions/%s/start_times", name);

  return sp_test_read_i64 (out, dataset);
}

/* A spill file left by a version that wrote version 1 still recovers. */
static void
test_misuse_recover_v1_spill (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  g_autoptr(GByteArray) records = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) second = NULL;

  add_region (records, 0, "old");
  add_block_of (records, 0, 0, 3, 1000);
  add_region (records, 1, "older");
  add_block_of (records, 1, 0, 2, 5000);
  add_block_of (records, 0, 0, 1, 9000);
  write_spill_header (spill, 1, 0, 0, records, NULL);

  g_assert_true (sp_profile_manager_recover (spill, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_links (out, "/rank0/regions"), ==, 2);
  first = recovered_starts (out, "old");
  second = recovered_starts (out, "older");
  g_assert_cmpuint (first->len, ==, 4);
  g_assert_cmpint (g_array_index (first, gint64, 0), ==, 1000);
  g_assert_cmpint (g_array_index (first, gint64, 2), ==, 1200);
  g_assert_cmpint (g_array_index (first, gint64, 3), ==, 9000);
  g_assert_cmpuint (second->len, ==, 2);
  g_assert_cmpint (g_array_index (second, gint64, 1), ==, 5100);

  /* Read as version 2, the same bytes are nonsense: the version decides. */
  {
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (spill, &contents, &length, NULL));
    ((guint32 *) (gpointer) contents)[2] = 2;
    g_assert_true (g_file_set_contents (spill, contents, length, NULL));
    g_unlink (out);
    g_assert_false (sp_profile_manager_recover (spill, out, &error));
    g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
}

/* A version 2 file whose records do not start at the usual offset still
 * reads: the header says where they are. */
static void
test_misuse_recover_v2_records_offset (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  static const guint64 offsets[] = { 48, 64, SP_SPILL_RECORDS_OFFSET, 3 * SP_SPILL_RECORDS_OFFSET };

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      g_autoptr(GByteArray) records = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) starts = NULL;

      add_region (records, 0, "here");
      add_block_of (records, 0, 0, 5, 700);
      write_spill_header (spill, 2, offsets[i], 0, records, NULL);
      g_unlink (out);

      g_assert_true (sp_profile_manager_recover (spill, out, &error));
      g_assert_no_error (error);
      starts = recovered_starts (out, "here");
      g_assert_cmpuint (starts->len, ==, 5);
      g_assert_cmpint (g_array_index (starts, gint64, 0), ==, 700);
      g_assert_cmpint (g_array_index (starts, gint64, 4), ==, 1100);
    }
}

/* A version 2 file sealed at some point (the process died while turning
 * it into a session): only the records before that point are read, what
 * follows is HDF5's and never parsed. */
static void
test_misuse_recover_v2_sealed (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  g_autoptr(GByteArray) records = g_byte_array_new ();
  g_autoptr(GByteArray) after = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) starts = NULL;
  static const guint8 junk[] = "\x89HDF\r\n\x1a\n not records at all";
  guint64 sealed;

  add_region (records, 0, "sealed");
  add_block_of (records, 0, 0, 2, 100);
  add_block_of (records, 0, 0, 3, 1000);
  sealed = SP_SPILL_RECORDS_OFFSET + records->len;

  /* Past the sealed end: whole records that must not count, then bytes
   * that are not records. */
  add_region (after, 1, "after the end");
  add_block_of (after, 1, 0, 4, 5000);
  add_block_of (after, 0, 0, 1, 9000);
  g_byte_array_append (after, junk, sizeof junk);
  write_spill_header (spill, 2, SP_SPILL_RECORDS_OFFSET, sealed, records, after);

  g_assert_true (sp_profile_manager_recover (spill, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_links (out, "/rank0/regions"), ==, 1);
  starts = recovered_starts (out, "sealed");
  g_assert_cmpuint (starts->len, ==, 5);
  g_assert_cmpint (g_array_index (starts, gint64, 0), ==, 100);
  g_assert_cmpint (g_array_index (starts, gint64, 4), ==, 1200);
  g_assert_cmpuint (file_calls (out, "sealed"), ==, 5);

  /* Sealed in the middle of a record: that record is torn, the ones
   * before it count. */
  g_clear_pointer (&starts, g_array_unref);
  g_unlink (out);
  write_spill_header (spill, 2, SP_SPILL_RECORDS_OFFSET, sealed - 8, records, after);
  g_assert_true (sp_profile_manager_recover (spill, out, &error));
  g_assert_no_error (error);
  starts = recovered_starts (out, "sealed");
  g_assert_cmpuint (starts->len, ==, 2);

  /* Sealed where the records start: there are none. */
  g_clear_pointer (&starts, g_array_unref);
  g_unlink (out);
  write_spill_header (spill, 2, SP_SPILL_RECORDS_OFFSET, SP_SPILL_RECORDS_OFFSET, records, after);
  g_assert_true (sp_profile_manager_recover (spill, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_links (out, "/rank0/regions"), ==, 0);

  /* Sealed past the end of a file cut short: the file's end counts. */
  g_unlink (out);
  write_spill_header (spill, 2, SP_SPILL_RECORDS_OFFSET, G_MAXUINT64, records, NULL);
  g_assert_true (sp_profile_manager_recover (spill, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (file_calls (out, "sealed"), ==, 5);
}

/* Records that would start inside the header are damage. Read from
 * there, most headers fail some other check; the one at 16 is made to read
 * as a whole record (pid 2 is a region record, the start time its length,
 * up to the real records), so only the offset check refuses it. */
static void
test_misuse_recover_v2_records_offset_in_header (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  static const struct {
    guint64 offset;
    gint64  pid;
    gint64  start_time;
  } cases[] = {
    { 0, 1234, 1000 },
    { 8, 1234, 1000 },
    { 16, 2, SP_SPILL_RECORDS_OFFSET - 32 },
    { 32, 1234, 1000 },
    { 40, 1234, 1000 },
    { 47, 1234, 1000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) records = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      add_region (records, 0, "inside");
      add_block_of (records, 0, 0, 1, 10);
      write_spill_header (spill, 2, SP_SPILL_RECORDS_OFFSET, 0, records, NULL);

      /* The records are where they always are; the header lies. */
      g_assert_true (g_file_get_contents (spill, &contents, &length, NULL));
      memcpy (contents + 16, &cases[i].pid, sizeof cases[i].pid);
      memcpy (contents + 24, &cases[i].start_time, sizeof cases[i].start_time);
      memcpy (contents + 32, &cases[i].offset, sizeof cases[i].offset);
      g_assert_true (g_file_set_contents (spill, contents, length, NULL));

      g_assert_false (sp_profile_manager_recover (spill, out, &error));
      g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

/* A sealed end before the first record is damage, not an empty file. */
static void
test_misuse_recover_v2_sealed_before_records (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *spill = g_build_filename (dir, "run.h5.1234.spill", NULL);
  g_autofree char *out = g_build_filename (dir, "recovered.h5", NULL);
  static const guint64 ends[] = { 1, 48, 4096, SP_SPILL_RECORDS_OFFSET - 1 };

  for (guint i = 0; i < G_N_ELEMENTS (ends); i++)
    {
      g_autoptr(GByteArray) records = g_byte_array_new ();
      g_autoptr(GError) error = NULL;

      add_region (records, 0, "before");
      add_block_of (records, 0, 0, 1, 10);
      write_spill_header (spill, 2, SP_SPILL_RECORDS_OFFSET, ends[i], records, NULL);

      g_assert_false (sp_profile_manager_recover (spill, out, &error));
      g_assert_error (error, SP_ERROR, SP_ERROR_INVALID_FILE);
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

/* Found by review while fuzzing: sp_h5_read_attr_string() read every
 * element of an attribute into room for one. An attribute that is an
 * array (a damaged or foreign file, read by the rank merge) is not a
 * string value; a scalar one still is. */
static void
test_misuse_array_string_attribute (void)
{
  g_autofree char *dir = sp_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "attrs.h5", NULL);
  const char *values[4] = { "a", "bb", "ccc", "dddd" };
  hsize_t dims[1] = { 4 };
  hid_t file, space, vtype, ftype, attr;
  g_autofree char *scalar = NULL;
  g_autofree char *varray = NULL;
  g_autofree char *farray = NULL;

  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (file, >=, 0);
  g_assert_true (sp_h5_write_attr_string (file, "scalar", "value"));

  space = H5Screate_simple (1, dims, NULL);
  vtype = sp_h5_string_type ();
  attr = H5Acreate2 (file, "vlen-array", vtype, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, vtype, values), >=, 0);
  H5Aclose (attr);

  ftype = H5Tcopy (H5T_C_S1);
  H5Tset_size (ftype, 8);
  attr = H5Acreate2 (file, "fixed-array", ftype, space, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (H5Awrite (attr, ftype, "aaaaaaaabbbbbbbbccccccccdddddddd"), >=, 0);
  H5Aclose (attr);

  scalar = sp_h5_read_attr_string (file, "scalar");
  varray = sp_h5_read_attr_string (file, "vlen-array");
  farray = sp_h5_read_attr_string (file, "fixed-array");
  g_assert_cmpstr (scalar, ==, "value");
  g_assert_null (varray);
  g_assert_null (farray);

  H5Tclose (ftype);
  H5Tclose (vtype);
  H5Sclose (space);
  H5Fclose (file);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ScopeProfiler/Misuse/exit-while-other-thread-open", test_misuse_exit_while_other_thread_open);
  g_test_add_func ("/ScopeProfiler/Misuse/exit-without-enter-flushing", test_misuse_exit_without_enter_flushing);
  g_test_add_func ("/ScopeProfiler/Misuse/threads-exit-buffered", test_misuse_threads_exit_buffered);
  g_test_add_func ("/ScopeProfiler/Misuse/threads-exit-partly-flushed", test_misuse_threads_exit_partly_flushed);
  g_test_add_func ("/ScopeProfiler/Misuse/setup-while-open", test_misuse_setup_while_open);
  g_test_add_func ("/ScopeProfiler/Misuse/stale-pointers", test_misuse_stale_pointers);
  g_test_add_func ("/ScopeProfiler/Misuse/scope-sites-across-sessions", test_misuse_scope_sites_across_sessions);
  g_test_add_func ("/ScopeProfiler/Misuse/finalize-twice-with-calls", test_misuse_finalize_twice_with_calls);
  g_test_add_func ("/ScopeProfiler/Misuse/names-invalid-utf8", test_misuse_names_invalid_utf8);
  g_test_add_func ("/ScopeProfiler/Misuse/names-round-trip", test_misuse_names_round_trip);
  g_test_add_func ("/ScopeProfiler/Misuse/names-huge", test_misuse_names_huge);
  g_test_add_func ("/ScopeProfiler/Misuse/buffer-limit-one", test_misuse_buffer_limit_one);
  g_test_add_func ("/ScopeProfiler/Misuse/many-regions", test_misuse_many_regions);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-region-index-out-of-range", test_misuse_recover_region_index_out_of_range);
  g_test_add_func ("/ScopeProfiler/Misuse/array-string-attribute", test_misuse_array_string_attribute);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-damaged-blocks", test_misuse_recover_damaged_blocks);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-sparse-regions", test_misuse_recover_sparse_regions);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-after-partial-flush", test_misuse_recover_after_partial_flush);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-v1-spill", test_misuse_recover_v1_spill);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-v2-records-offset", test_misuse_recover_v2_records_offset);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-v2-sealed", test_misuse_recover_v2_sealed);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-v2-records-offset-in-header", test_misuse_recover_v2_records_offset_in_header);
  g_test_add_func ("/ScopeProfiler/Misuse/recover-v2-sealed-before-records", test_misuse_recover_v2_sealed_before_records);

  return g_test_run ();
}
