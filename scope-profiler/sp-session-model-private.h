/* sp-session-model-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "sp-region-stats.h"
#include "sp-session-raw-private.h"

G_BEGIN_DECLS

/* The immutable model behind a loaded SpSession: regions sorted by name,
 * intervals per (region, rank, thread), lanes per (rank, thread) with the
 * nesting reconstructed, and the statistics. Built once from an
 * SpSessionRaw by sp_session_model_build(); SpSession's getters and
 * sp_session_filter() read it. */

typedef struct _SpSessionSeries
{
  guint   region;
  guint   rank;
  gint64  thread;
  gsize   n;
  gint64 *starts;     /* sorted by start, then end descending */
  gint64 *ends;
  gint64  self_total;
} SpSessionSeries;

typedef struct _SpSessionLane
{
  guint     rank;
  gint64    thread;
  gsize     n;
  guint32  *regions;
  gint64   *starts;
  gint64   *ends;
  guint32  *depths;
  gint64   *parents;
  guint64   n_overlaps;
} SpSessionLane;

typedef struct _SpSessionRankStats
{
  guint          rank;
  SpRegionStats *stats;
} SpSessionRankStats;

typedef struct _SpSessionRegion
{
  SpSessionRegionInfo  info;
  SpRegionStats       *stats;
  GArray              *rank_stats;   /* SpSessionRankStats, sorted by rank */
  GArray              *file_ranks;   /* guint, sorted: ranks the file has it on */
} SpSessionRegion;

typedef struct _SpSessionRank
{
  guint   rank;
  GArray *threads;                   /* gint64, sorted */
} SpSessionRank;

typedef struct _SpSessionModel
{
  int          schema;
  GHashTable  *metadata;
  GPtrArray   *regions;              /* SpSessionRegion*, sorted by name */
  GHashTable  *region_by_name;       /* borrowed name -> index + 1 */
  GArray      *ranks;                /* SpSessionRank, sorted by rank */
  guint       *rank_numbers;         /* the same ranks, as a plain array */
  guint       *file_ranks;           /* rank_numbers and ranks without data */
  guint        n_file_ranks;
  GHashTable  *threads;              /* SpSessionThreadInfo* */
  GPtrArray   *series;               /* SpSessionSeries*, sorted by (region, rank, thread) */
  GHashTable  *series_index;         /* SpSessionSeries* (key == value) */
  GPtrArray   *lanes;                /* SpSessionLane*, sorted by (rank, thread) */
  guint64      n_overlaps;
  gint64       start_time;
  gint64       end_time;
} SpSessionModel;

SpSessionModel      *sp_session_model_build       (SpSessionRaw          *raw,
                                                    SpSessionProgressFunc  progress,
                                                    gpointer               progress_data);
void                 sp_session_model_free        (SpSessionModel        *model);
SpSessionRank       *sp_session_model_find_rank   (SpSessionModel        *model,
                                                    guint                  rank);
SpSessionThreadInfo *sp_session_model_find_thread (SpSessionModel        *model,
                                                    guint                  rank,
                                                    gint64                 thread);
SpSessionSeries     *sp_session_model_find_series (SpSessionModel        *model,
                                                    guint                  region,
                                                    guint                  rank,
                                                    gint64                 thread);

G_END_DECLS
