/* sp-thread.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sp-thread-private.h"

__thread SpThreadState *sp_thread_state __attribute__((tls_model ("initial-exec")));

static gint64 sp_thread_next_index;

static void
sp_thread_state_free (gpointer data)
{
  SpThreadState *state = data;

  /* The records belong to their regions, so the calls this thread recorded
   * outlive it and reach the session file. Only the lookup table goes. */
  for (guint i = 0; i < state->n_pages; i++)
    g_free (state->pages[i]);
  g_free (state->pages);

  if (sp_thread_state == state)
    sp_thread_state = NULL;

  g_free (state);
}

static GPrivate sp_thread_private = G_PRIVATE_INIT (sp_thread_state_free);

SpThreadState *
sp_thread_state_get_slow (void)
{
  SpThreadState *state;

  state = g_new0 (SpThreadState, 1);
  state->index = __atomic_fetch_add (&sp_thread_next_index, 1, __ATOMIC_RELAXED);
  state->native_id = (gint64) syscall (SYS_gettid);
  if (prctl (PR_GET_NAME, state->name, 0, 0, 0) != 0)
    state->name[0] = '\0';
  state->name[sizeof state->name - 1] = '\0';

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
}
