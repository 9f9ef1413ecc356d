/* sp-thread.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

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

static void
sp_thread_state_free (gpointer data)
{
  SpThreadState *state = data;

  /* The thread's lifetime and CPU time, for the thread table. */
  sp_thread_state_mark_end (state);

  /* The records belong to their regions, so the calls this thread recorded
   * outlive it and reach the session file. Only the lookup table goes. */
  for (guint i = 0; i < state->n_pages; i++)
    g_free (state->pages[i]);
  g_free (state->pages);

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
  state->info->name = g_intern_string (name);
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
  __atomic_store_n (&state->info->name, g_intern_string (name ? name : ""), __ATOMIC_RELAXED);
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
  state->info->name = g_intern_string (name ? name : "");
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
