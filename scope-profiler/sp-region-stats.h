/* sp-region-stats.h
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

#include "sp-version-macros.h"

G_BEGIN_DECLS

#define SP_TYPE_REGION_STATS (sp_region_stats_get_type())

typedef struct _SpRegionStats SpRegionStats;

SP_AVAILABLE_IN_ALL
GType          sp_region_stats_get_type      (void) G_GNUC_CONST;
SP_AVAILABLE_IN_0_2
SpRegionStats *sp_region_stats_new_for_intervals (const gint64 *starts,
                                                  const gint64 *ends,
                                                  gsize         n_intervals) G_GNUC_WARN_UNUSED_RESULT;
SP_AVAILABLE_IN_ALL
SpRegionStats *sp_region_stats_ref           (SpRegionStats *self);
SP_AVAILABLE_IN_ALL
void           sp_region_stats_unref         (SpRegionStats *self);
SP_AVAILABLE_IN_ALL
guint64        sp_region_stats_get_count     (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
gint64         sp_region_stats_get_total     (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
gint64         sp_region_stats_get_self_time (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
double         sp_region_stats_get_mean      (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
gint64         sp_region_stats_get_min       (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
gint64         sp_region_stats_get_max       (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
double         sp_region_stats_get_stddev    (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
double         sp_region_stats_get_median    (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
double         sp_region_stats_get_p90       (const SpRegionStats *self);
SP_AVAILABLE_IN_ALL
double         sp_region_stats_get_p99       (const SpRegionStats *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpRegionStats, sp_region_stats_unref)

G_END_DECLS
