/* sp-thread-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SpRegionRecord SpRegionRecord;

/* Per-thread state. Each thread maps region ids (never reused within a
 * process) to its own SpRegionRecord through a two-level table, so the
 * hot path finds its buffers without hashing or locking. */
#define SP_THREAD_PAGE_SHIFT 9
#define SP_THREAD_PAGE_SIZE  (1u << SP_THREAD_PAGE_SHIFT)
#define SP_THREAD_PAGE_MASK  (SP_THREAD_PAGE_SIZE - 1)

/* What outlives a thread (or track) for its records: held by its state
 * and by each of its records (sp_region_record_new()), freed with the last
 * of them. */
typedef struct _SpThreadInfo
{
  gint              ref_count;  /* atomic */
  const char       *name;       /* interned; atomic: set by sp_thread_state_set_name() */
  gint64            native_id;
  gint64            start_ns;   /* when the thread first recorded, or the track was made */
  gint64            end_ns;     /* when the thread ended, 0 while it runs; atomic */
  gint64            cpu_ns;     /* its CPU time then; stored before end_ns */
  gboolean          is_track;
} SpThreadInfo;

SpThreadInfo  *sp_thread_info_ref       (SpThreadInfo   *info);
void           sp_thread_info_unref     (SpThreadInfo   *info);
void           sp_thread_info_get_times (SpThreadInfo   *info,
                                         gint64         *start_ns,
                                         gint64         *end_ns,
                                         gint64         *cpu_ns);

typedef struct _SpThreadState
{
  SpRegionRecord ***pages;
  guint             n_pages;
  gint64            index;      /* process-unique, 0 for the first thread that records */
  gint64            native_id;  /* gettid() */
  SpThreadInfo     *info;       /* name: prctl (PR_GET_NAME) when first seen */
  gboolean          is_track;   /* a track (sp_thread_state_new_track()), not a thread */
} SpThreadState;

extern __thread SpThreadState *sp_thread_state __attribute__((tls_model ("initial-exec")));

SpThreadState *sp_thread_state_get_slow (void);
void           sp_thread_state_insert   (SpThreadState  *state,
                                         guint           region_id,
                                         SpRegionRecord *record);
void           sp_thread_state_forget_fork (void);
void           sp_thread_state_mark_end (SpThreadState  *state);
void           sp_thread_state_set_name (SpThreadState  *state,
                                         const char     *name);
SpThreadState *sp_thread_state_new_track (const char    *name);
SpThreadState *sp_thread_state_find_track (gint64        index);
void           sp_thread_tracks_lock    (void);
void           sp_thread_tracks_unlock  (void);

static inline SpThreadState *
sp_thread_state_get (void)
{
  SpThreadState *state = sp_thread_state;

  if G_LIKELY (state != NULL)
    return state;

  return sp_thread_state_get_slow ();
}

static inline SpRegionRecord *
sp_thread_state_lookup_in (SpThreadState *state,
                           guint          region_id)
{
  SpRegionRecord **page;
  guint page_index = region_id >> SP_THREAD_PAGE_SHIFT;

  if G_UNLIKELY (state == NULL || page_index >= state->n_pages)
    return NULL;

  page = state->pages[page_index];
  if G_UNLIKELY (page == NULL)
    return NULL;

  return page[region_id & SP_THREAD_PAGE_MASK];
}

static inline SpRegionRecord *
sp_thread_state_lookup (guint region_id)
{
  return sp_thread_state_lookup_in (sp_thread_state, region_id);
}

G_END_DECLS
