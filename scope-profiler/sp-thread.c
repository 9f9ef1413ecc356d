/* sp-thread.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sp-clock-private.h"
#include "sp-region-private.h"
#include "sp-thread-private.h"

__thread SpThreadState *sp_thread_state __attribute__((tls_model ("initial-exec")));

static gint64 sp_thread_next_index;

/* Thread names, interned: a name may be replaced while a collector reads
 * the old one, so none is ever freed (a process names few threads). Our
 * own table under a pthread mutex rather than GLib's interned strings:
 * GLib's locks are futexes ThreadSanitizer does not see, and threads name
 * themselves concurrently when they first record. */
static pthread_mutex_t sp_thread_names_mutex = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *sp_thread_names;

static const char *
sp_thread_intern_name (const char *name)
{
  const char *interned;

  pthread_mutex_lock (&sp_thread_names_mutex);
  if (sp_thread_names == NULL)
    sp_thread_names = g_hash_table_new (g_str_hash, g_str_equal);
  interned = g_hash_table_lookup (sp_thread_names, name);
  if (interned == NULL)
    {
      char *copy = g_strdup (name);

      g_hash_table_add (sp_thread_names, copy);
      interned = copy;
    }
  pthread_mutex_unlock (&sp_thread_names_mutex);

  return interned;
}

static void
sp_thread_state_free (gpointer data)
{
  SpThreadState *state = data;

  /* The thread's lifetime and CPU time, for the thread table. */
  sp_thread_state_mark_end (state);

  /* The records belong to their regions, so the calls this thread recorded
   * outlive it and reach the session file. Only the lookup table goes, and
   * the state's hold on the thread's info (its records keep theirs). */
  for (guint i = 0; i < state->n_pages; i++)
    g_free (state->pages[i]);
  g_free (state->pages);
  sp_thread_info_unref (state->info);

  if (sp_thread_state == state)
    sp_thread_state = NULL;

  g_free (state);
}

/* Takes the end and CPU time of the calling thread, @state's, unless they
 * were taken already. */
void
sp_thread_state_mark_end (SpThreadState *state)
{
  struct timespec ts;

  if (__atomic_load_n (&state->info->end_ns, __ATOMIC_ACQUIRE) != 0)
    return;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    state->info->cpu_ns = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
  else
    state->info->cpu_ns = -1;
  __atomic_store_n (&state->info->end_ns, sp_clock_now (), __ATOMIC_RELEASE);
}

static GPrivate sp_thread_private = G_PRIVATE_INIT (sp_thread_state_free);

SpThreadState *
sp_thread_state_get_slow (void)
{
  SpThreadState *state;
  char name[16];

  state = g_new0 (SpThreadState, 1);
  state->index = __atomic_fetch_add (&sp_thread_next_index, 1, __ATOMIC_RELAXED);
  state->native_id = (gint64) syscall (SYS_gettid);
  if (prctl (PR_GET_NAME, name, 0, 0, 0) != 0)
    name[0] = '\0';
  name[sizeof name - 1] = '\0';
  state->info = g_new0 (SpThreadInfo, 1);
  state->info->ref_count = 1;
  state->info->name = sp_thread_intern_name (name);
  state->info->native_id = state->native_id;
  state->info->start_ns = sp_clock_now ();

  /* GPrivate gives us a destructor at thread exit; the __thread copy keeps
   * the hot path to one TLS load. */
  g_private_set (&sp_thread_private, state);
  sp_thread_state = state;

  return state;
}

void
sp_thread_state_insert (SpThreadState  *state,
                        guint           region_id,
                        SpRegionRecord *record)
{
  guint page_index = region_id >> SP_THREAD_PAGE_SHIFT;

  if (page_index >= state->n_pages)
    {
      guint n_pages = MAX (page_index + 1, state->n_pages * 2);

      state->pages = g_renew (SpRegionRecord **, state->pages, n_pages);
      memset (state->pages + state->n_pages, 0,
              sizeof (SpRegionRecord **) * (n_pages - state->n_pages));
      state->n_pages = n_pages;
    }

  if (state->pages[page_index] == NULL)
    state->pages[page_index] = g_new0 (SpRegionRecord *, SP_THREAD_PAGE_SIZE);

  state->pages[page_index][region_id & SP_THREAD_PAGE_MASK] = record;
}

/* After fork() the child's only thread is a new thread: its calls must not
 * be told apart from the parent's by index, but by its native id. Its
 * lookup table stays valid: the records are the child's own copies. */
void
sp_thread_state_forget_fork (void)
{
  SpThreadState *state = sp_thread_state;

  if (state == NULL)
    return;

  state->native_id = (gint64) syscall (SYS_gettid);
  state->info->native_id = state->native_id;
}

/* Names @state (a thread's or a track's): the name of all its records,
 * those it has and those to come. */
void
sp_thread_state_set_name (SpThreadState *state,
                          const char    *name)
{
  __atomic_store_n (&state->info->name, sp_thread_intern_name (name ? name : ""), __ATOMIC_RELEASE);
}

/* Tracks: lanes that are not threads (an asyncio task, an async operation),
 * recorded into with sp_region_record(). A track takes a thread index of
 * its own, so everything that reads lanes sees it as one more thread; its
 * native id is that of the thread that made it. Tracks live as long as the
 * process: each costs its state and one page of its lookup table per
 * region page it used. */
static GMutex sp_thread_tracks_mutex;
static GHashTable *sp_thread_tracks;   /* index -> SpThreadState */

void
sp_thread_tracks_lock (void)
{
  g_mutex_lock (&sp_thread_tracks_mutex);
}

void
sp_thread_tracks_unlock (void)
{
  g_mutex_unlock (&sp_thread_tracks_mutex);
}

SpThreadState *
sp_thread_state_new_track (const char *name)
{
  SpThreadState *state = g_new0 (SpThreadState, 1);

  state->index = __atomic_fetch_add (&sp_thread_next_index, 1, __ATOMIC_RELAXED);
  state->native_id = (gint64) syscall (SYS_gettid);
  state->info = g_new0 (SpThreadInfo, 1);
  state->info->ref_count = 1;
  state->info->name = sp_thread_intern_name (name ? name : "");
  state->info->native_id = state->native_id;
  state->info->start_ns = sp_clock_now ();
  state->info->is_track = TRUE;
  state->is_track = TRUE;

  g_mutex_lock (&sp_thread_tracks_mutex);
  if (sp_thread_tracks == NULL)
    sp_thread_tracks = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_hash_table_insert (sp_thread_tracks, &state->index, state);
  g_mutex_unlock (&sp_thread_tracks_mutex);

  return state;
}

/* Called under sp_thread_tracks_lock(). */
SpThreadState *
sp_thread_state_find_track (gint64 index)
{
  if (sp_thread_tracks == NULL)
    return NULL;

  return g_hash_table_lookup (sp_thread_tracks, &index);
}

SpThreadInfo *
sp_thread_info_ref (SpThreadInfo *info)
{
  __atomic_fetch_add (&info->ref_count, 1, __ATOMIC_RELAXED);

  return info;
}

void
sp_thread_info_unref (SpThreadInfo *info)
{
  if (__atomic_sub_fetch (&info->ref_count, 1, __ATOMIC_ACQ_REL) == 0)
    g_free (info);
}

/* The lifetime and CPU time of @info's thread: @end_ns -1 while it runs
 * (its CPU time so far, read through its thread CPU clock); for a track
 * the time it was made, -1 and -1. */
void
sp_thread_info_get_times (SpThreadInfo *info,
                          gint64       *start_ns,
                          gint64       *end_ns,
                          gint64       *cpu_ns)
{
  gint64 end = __atomic_load_n (&info->end_ns, __ATOMIC_ACQUIRE);
  struct timespec ts;
  /* The kernel's CPU clock of a thread of this process by its id, as
   * pthread_getcpuclockid() makes it, without a pthread_t that may be gone:
   * a thread that ended meanwhile gives EINVAL. */
  clockid_t clock = (clockid_t) ((~(guint) info->native_id) << 3) | 6;

  *start_ns = info->start_ns;

  if (info->is_track)
    {
      *end_ns = -1;
      *cpu_ns = -1;
    }
  else if (end != 0)
    {
      *end_ns = end;
      *cpu_ns = info->cpu_ns;
    }
  else
    {
      *end_ns = -1;
      if (clock_gettime (clock, &ts) == 0)
        *cpu_ns = ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
      else
        *cpu_ns = -1;
    }
}
