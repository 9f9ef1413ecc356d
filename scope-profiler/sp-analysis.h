/* sp-analysis.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(SCOPE_PROFILER_INSIDE) && !defined(SCOPE_PROFILER_COMPILATION)
# error "Only <scope-profiler.h> can be included directly."
#endif

#include <glib-object.h>

#include "sp-session.h"
#include "sp-version-macros.h"

G_BEGIN_DECLS

/**
 * SpRankFigure:
 * @SP_RANK_FIGURE_MEAN_TOTAL: the mean over ranks of the region's total
 *   time on each rank (ranks that never entered the region count as 0)
 * @SP_RANK_FIGURE_MAX_TOTAL: the region's total time on its slowest rank:
 *   what the region costs the run
 * @SP_RANK_FIGURE_MIN_TOTAL: the region's total time on its least loaded
 *   rank
 * @SP_RANK_FIGURE_MEAN_PER_CALL: the mean duration of one call, over all
 *   calls on all ranks and threads (sp_region_stats_get_mean())
 * @SP_RANK_FIGURE_MEAN_CALLS: the mean over ranks of the region's number of
 *   calls on each rank
 * @SP_RANK_FIGURE_MEAN_SELF: the mean over ranks of the region's self time
 *   on each rank (sp_region_stats_get_self_time())
 *
 * Per-rank figures of a region: figures that stay comparable between runs
 * with different numbers of ranks, unlike sums over ranks.
 *
 * Since: 0.2
 */
typedef enum
{
  SP_RANK_FIGURE_MEAN_TOTAL,
  SP_RANK_FIGURE_MAX_TOTAL,
  SP_RANK_FIGURE_MIN_TOTAL,
  SP_RANK_FIGURE_MEAN_PER_CALL,
  SP_RANK_FIGURE_MEAN_CALLS,
  SP_RANK_FIGURE_MEAN_SELF,
} SpRankFigure;

#define SP_TYPE_ANALYSIS (sp_analysis_get_type())

typedef struct _SpAnalysis SpAnalysis;

SP_AVAILABLE_IN_0_2
GType        sp_analysis_get_type                (void) G_GNUC_CONST;
SP_AVAILABLE_IN_0_2
SpAnalysis  *sp_analysis_new                     (SpSession        *session) G_GNUC_WARN_UNUSED_RESULT;
SP_AVAILABLE_IN_0_2
SpAnalysis  *sp_analysis_ref                     (SpAnalysis       *self);
SP_AVAILABLE_IN_0_2
void         sp_analysis_unref                   (SpAnalysis       *self);
SP_AVAILABLE_IN_0_2
SpSession   *sp_analysis_get_session             (const SpAnalysis *self);

SP_AVAILABLE_IN_0_2
guint        sp_analysis_get_n_ranks             (const SpAnalysis *self);
SP_AVAILABLE_IN_0_2
gint64       sp_analysis_get_wall_time           (const SpAnalysis *self);
SP_AVAILABLE_IN_0_2
guint        sp_analysis_get_slowest_rank        (const SpAnalysis *self);
SP_AVAILABLE_IN_0_2
gint64       sp_analysis_get_rank_span           (const SpAnalysis *self,
                                                  guint             rank);
SP_AVAILABLE_IN_0_2
gint64       sp_analysis_get_rank_spans_sum      (const SpAnalysis *self);
SP_AVAILABLE_IN_0_2
gint64       sp_analysis_get_lane_span           (const SpAnalysis *self,
                                                  guint             lane);
SP_AVAILABLE_IN_0_2
gint64       sp_analysis_get_lane_time           (const SpAnalysis *self);

SP_AVAILABLE_IN_0_2
gint64       sp_analysis_get_region_covered_time (const SpAnalysis *self,
                                                  guint             region);
SP_AVAILABLE_IN_0_2
double       sp_analysis_get_region_share        (const SpAnalysis *self,
                                                  guint             region);
SP_AVAILABLE_IN_0_2
gint64       sp_analysis_get_region_rank_total   (const SpAnalysis *self,
                                                  guint             region,
                                                  guint             rank);
SP_AVAILABLE_IN_0_2
double       sp_analysis_get_region_figure       (const SpAnalysis *self,
                                                  guint             region,
                                                  SpRankFigure      figure);
SP_AVAILABLE_IN_0_2
double       sp_analysis_get_region_imbalance    (const SpAnalysis *self,
                                                  guint             region);
SP_AVAILABLE_IN_0_2
guint        sp_analysis_get_region_slowest_rank (const SpAnalysis *self,
                                                  guint             region);

SP_AVAILABLE_IN_0_2
double       sp_analysis_compare_region          (const SpAnalysis *a,
                                                  const SpAnalysis *b,
                                                  const char       *region,
                                                  SpRankFigure      figure);
SP_AVAILABLE_IN_0_2
double       sp_analysis_compare_wall_time       (const SpAnalysis *a,
                                                  const SpAnalysis *b);
SP_AVAILABLE_IN_0_2
double       sp_analysis_get_region_speedup      (const SpAnalysis *base,
                                                  const SpAnalysis *run,
                                                  const char       *region,
                                                  double           *efficiency);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpAnalysis, sp_analysis_unref)

G_END_DECLS
