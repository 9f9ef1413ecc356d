/* sp-session-raw-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the file reader hands to SpSession: everything the file holds,
 * checked, but not yet sorted, nested or summarised.
 *
 * This is the one thing the reader and the session share. The reader
 * fills it and knows nothing of the model or of SpSession; the model
 * (sp-session-model.c) consumes it, and so does sp_session_filter(), which
 * makes a new container from a loaded model. */

typedef struct _SpSessionRegionInfo
{
  char   *name;
  char  **tags;          /* NULL-terminated; NULL when unknown */
  char   *source_file;
  char   *source_text;
  gint64  source_line;   /* -1 when unknown */
} SpSessionRegionInfo;

typedef struct _SpSessionThreadInfo
{
  guint   rank;
  gint64  thread;
  gint64  native_id;     /* -1 when unknown */
  char   *name;
  /* The thread table's optional columns; -1 when unknown. */
  gint64  start_time;
  gint64  end_time;
  gint64  cpu_time;
} SpSessionThreadInfo;

typedef struct _SpSessionRawSeries
{
  /* key */
  guint   region;
  guint   rank;
  gint64  thread;
  /* intervals, in file order; exactly @n allocated: the reader sizes
   * series before it fills them, so nothing is copied or over-allocated */
  gint64 *starts;
  gint64 *ends;
  gsize   n;
} SpSessionRawSeries;

typedef struct _SpSessionRegionRank
{
  guint region;
  guint rank;
} SpSessionRegionRank;

typedef struct _SpSessionRaw
{
  int         schema;
  GHashTable *metadata;        /* char* -> GVariant* ('s', 'x' or 'd') */
  GPtrArray  *regions;         /* SpSessionRegionInfo* */
  GHashTable *region_by_name;  /* borrowed name -> GUINT_TO_POINTER (index + 1) */
  GHashTable *threads;         /* SpSessionThreadInfo* (key == value) */
  GHashTable *series;          /* SpSessionRawSeries* (key == value) */
  GHashTable *file_ranks;      /* GUINT_TO_POINTER (rank + 1): ranks the file
                                * names even without intervals or threads */
  GArray     *region_ranks;    /* SpSessionRegionRank: (region, rank) pairs
                                * the file has, even without intervals */
} SpSessionRaw;

/* Loading progress, from 0 to 1: the reader reports the first 80 %, the
 * model the rest. */
typedef void (*SpSessionProgressFunc) (double   fraction,
                                       gpointer user_data);

SpSessionRaw        *sp_session_raw_new           (void);
void                 sp_session_raw_free          (SpSessionRaw  *raw);
guint                sp_session_raw_intern_region (SpSessionRaw  *raw,
                                                    const char    *name);
SpSessionRawSeries  *sp_session_raw_get_series    (SpSessionRaw  *raw,
                                                    guint          region,
                                                    guint          rank,
                                                    gint64         thread);
gboolean             sp_session_raw_series_grow   (SpSessionRawSeries *series,
                                                    gsize          n,
                                                    gsize         *at);
SpSessionThreadInfo *sp_session_raw_get_thread    (SpSessionRaw  *raw,
                                                    guint          rank,
                                                    gint64         thread);
void                 sp_session_raw_add_file_rank (SpSessionRaw  *raw,
                                                    guint          rank);
void                 sp_session_raw_add_region_rank (SpSessionRaw *raw,
                                                      guint         region,
                                                      guint         rank);
void                 sp_session_region_info_clear (SpSessionRegionInfo *info);
void                 sp_session_advise_huge       (void          *data,
                                                    gsize          size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSessionRaw, sp_session_raw_free)

G_END_DECLS
