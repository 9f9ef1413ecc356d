/* sp-region-stats-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sp-region-stats.h"

G_BEGIN_DECLS

/* Reorders @durations in place. */
SpRegionStats *sp_region_stats_new_from_durations (gint64 *durations,
                                                    gsize   n_durations,
                                                    gint64  self_time);
double         sp_percentile_sorted               (const gint64 *sorted,
                                                    gsize         n,
                                                    double        percent);

G_END_DECLS
