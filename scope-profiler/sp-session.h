/* sp-session.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(SCOPE_PROFILER_INSIDE) && !defined(SCOPE_PROFILER_COMPILATION)
# error "Only <scope-profiler.h> can be included directly."
#endif

#include <gio/gio.h>

#include "sp-region-stats.h"
#include "sp-version-macros.h"

G_BEGIN_DECLS

/**
 * SP_SESSION_THREAD_UNKNOWN:
 *
 * The thread id of intervals recorded without a thread id (files of the
 * Python package written without thread tracking).
 *
 * Since: 0.1
 */
#define SP_SESSION_THREAD_UNKNOWN ((gint64) -1)

#define SP_TYPE_SESSION (sp_session_get_type())

SP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpSession, sp_session, SP, SESSION, GObject)

SP_AVAILABLE_IN_ALL
SpSession     *sp_session_new                    (void) G_GNUC_WARN_UNUSED_RESULT;
SP_AVAILABLE_IN_ALL
SpSession     *sp_session_new_from_file          (const char           *path,
                                                  GCancellable         *cancellable,
                                                  GError              **error) G_GNUC_WARN_UNUSED_RESULT;
SP_AVAILABLE_IN_ALL
gboolean       sp_session_load                   (SpSession            *self,
                                                  const char           *path,
                                                  GCancellable         *cancellable,
                                                  GError              **error);
SP_AVAILABLE_IN_ALL
void           sp_session_load_async             (SpSession            *self,
                                                  const char           *path,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
SP_AVAILABLE_IN_ALL
gboolean       sp_session_load_finish            (SpSession            *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
SP_AVAILABLE_IN_ALL
const char    *sp_session_get_path               (SpSession            *self);
SP_AVAILABLE_IN_ALL
gboolean       sp_session_get_loaded             (SpSession            *self);
SP_AVAILABLE_IN_ALL
double         sp_session_get_progress           (SpSession            *self);
SP_AVAILABLE_IN_ALL
int            sp_session_get_schema             (SpSession            *self);

SP_AVAILABLE_IN_ALL
char         **sp_session_list_metadata_keys     (SpSession            *self);
SP_AVAILABLE_IN_ALL
GVariant      *sp_session_get_metadata           (SpSession            *self,
                                                  const char           *key);
SP_AVAILABLE_IN_ALL
const char    *sp_session_get_metadata_string    (SpSession            *self,
                                                  const char           *key);
SP_AVAILABLE_IN_ALL
gboolean       sp_session_get_metadata_int       (SpSession            *self,
                                                  const char           *key,
                                                  gint64               *value);
SP_AVAILABLE_IN_ALL
gboolean       sp_session_get_metadata_double    (SpSession            *self,
                                                  const char           *key,
                                                  double               *value);

SP_AVAILABLE_IN_ALL
const guint   *sp_session_get_ranks              (SpSession            *self,
                                                  guint                *n_ranks);
SP_AVAILABLE_IN_0_2
const guint   *sp_session_get_file_ranks         (SpSession            *self,
                                                  guint                *n_ranks);
SP_AVAILABLE_IN_ALL
const gint64  *sp_session_get_threads            (SpSession            *self,
                                                  guint                 rank,
                                                  guint                *n_threads);
SP_AVAILABLE_IN_ALL
const char    *sp_session_get_thread_name        (SpSession            *self,
                                                  guint                 rank,
                                                  gint64                thread);
SP_AVAILABLE_IN_ALL
gint64         sp_session_get_thread_native_id   (SpSession            *self,
                                                  guint                 rank,
                                                  gint64                thread);
SP_AVAILABLE_IN_0_2
gboolean       sp_session_get_thread_times       (SpSession            *self,
                                                  guint                 rank,
                                                  gint64                thread,
                                                  gint64               *start_time,
                                                  gint64               *end_time,
                                                  gint64               *cpu_time);
SP_AVAILABLE_IN_ALL
gint64         sp_session_get_start_time         (SpSession            *self);
SP_AVAILABLE_IN_ALL
gint64         sp_session_get_end_time           (SpSession            *self);

SP_AVAILABLE_IN_ALL
guint          sp_session_get_n_regions          (SpSession            *self);
SP_AVAILABLE_IN_ALL
gboolean       sp_session_lookup_region          (SpSession            *self,
                                                  const char           *name,
                                                  guint                *region);
SP_AVAILABLE_IN_ALL
const char    *sp_session_get_region_name        (SpSession            *self,
                                                  guint                 region);
SP_AVAILABLE_IN_ALL
const char * const *
               sp_session_get_region_tags        (SpSession            *self,
                                                  guint                 region);
SP_AVAILABLE_IN_ALL
const char    *sp_session_get_region_source_file (SpSession            *self,
                                                  guint                 region);
SP_AVAILABLE_IN_ALL
gint64         sp_session_get_region_source_line (SpSession            *self,
                                                  guint                 region);
SP_AVAILABLE_IN_ALL
const char    *sp_session_get_region_source_text (SpSession            *self,
                                                  guint                 region);
SP_AVAILABLE_IN_ALL
SpRegionStats *sp_session_get_region_stats       (SpSession            *self,
                                                  guint                 region);
SP_AVAILABLE_IN_ALL
SpRegionStats *sp_session_get_region_stats_for_rank
                                                 (SpSession            *self,
                                                  guint                 region,
                                                  guint                 rank);

SP_AVAILABLE_IN_0_2
const guint   *sp_session_get_region_file_ranks  (SpSession            *self,
                                                  guint                 region,
                                                  guint                *n_ranks);

SP_AVAILABLE_IN_ALL
gboolean       sp_session_peek_intervals         (SpSession            *self,
                                                  guint                 region,
                                                  guint                 rank,
                                                  gint64                thread,
                                                  const gint64        **starts,
                                                  const gint64        **ends,
                                                  gsize                *n_intervals);
SP_AVAILABLE_IN_ALL
GBytes        *sp_session_get_start_times        (SpSession            *self,
                                                  guint                 region,
                                                  guint                 rank,
                                                  gint64                thread);
SP_AVAILABLE_IN_ALL
GBytes        *sp_session_get_end_times          (SpSession            *self,
                                                  guint                 region,
                                                  guint                 rank,
                                                  gint64                thread);

SP_AVAILABLE_IN_ALL
guint          sp_session_get_n_lanes            (SpSession            *self);
SP_AVAILABLE_IN_ALL
gboolean       sp_session_lookup_lane            (SpSession            *self,
                                                  guint                 rank,
                                                  gint64                thread,
                                                  guint                *lane);
SP_AVAILABLE_IN_ALL
guint          sp_session_get_lane_rank          (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
gint64         sp_session_get_lane_thread        (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
gsize          sp_session_peek_lane              (SpSession            *self,
                                                  guint                 lane,
                                                  const guint32       **regions,
                                                  const gint64        **starts,
                                                  const gint64        **ends,
                                                  const guint32       **depths,
                                                  const gint64        **parents);
SP_AVAILABLE_IN_ALL
GBytes        *sp_session_get_lane_regions       (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
GBytes        *sp_session_get_lane_start_times   (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
GBytes        *sp_session_get_lane_end_times     (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
GBytes        *sp_session_get_lane_depths        (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
GBytes        *sp_session_get_lane_parents       (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
guint64        sp_session_get_lane_n_overlaps    (SpSession            *self,
                                                  guint                 lane);
SP_AVAILABLE_IN_ALL
guint64        sp_session_get_n_overlaps         (SpSession            *self);

SP_AVAILABLE_IN_ALL
SpSession     *sp_session_filter                 (SpSession            *self,
                                                  const char * const   *include,
                                                  const char * const   *exclude,
                                                  const guint          *ranks,
                                                  guint                 n_ranks,
                                                  gint64                begin_time,
                                                  gint64                end_time);

G_END_DECLS
