/* spv-lod.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Maps times (ns) to x (px) for a view that shows [t0, t0 + width * ns_per_px]. */
typedef struct
{
  double t0;
  double ns_per_px;
  double width;
} SpvTimeMap;

static inline double
spv_time_map_to_x (const SpvTimeMap *map,
                   double            t)
{
  return (t - map->t0) / map->ns_per_px;
}

static inline double
spv_time_map_to_time (const SpvTimeMap *map,
                      double            x)
{
  return map->t0 + x * map->ns_per_px;
}

void spv_time_map_zoom  (SpvTimeMap *map,
                         double      anchor_x,
                         double      factor,
                         double      min_t,
                         double      max_t);
void spv_time_map_pan   (SpvTimeMap *map,
                         double      dx,
                         double      min_t,
                         double      max_t);
void spv_time_map_show  (SpvTimeMap *map,
                         double      begin,
                         double      end);

/* One depth row of a lane: the intervals at that depth, in start order. */
typedef struct
{
  guint32 *index;     /* index in the lane arrays */
  gint64  *max_end;   /* running maximum of the ends, for binary search */
  gsize    len;
} SpvLodRow;

/* A lane: its intervals (owned by the session) split into depth rows. */
typedef struct
{
  const guint32 *regions;
  const gint64  *starts;
  const gint64  *ends;
  gsize          n;
  SpvLodRow     *rows;
  guint          n_rows;
} SpvLodLane;

/* What to draw: a single interval (count == 1, first is its lane index)
 * or several, each narrower than a pixel, merged into one box. */
typedef struct
{
  double  x0;
  double  x1;
  gsize   first;
  gsize   count;
} SpvLodSpan;

typedef void (*SpvLodFunc) (const SpvLodSpan *span,
                            gpointer          user_data);

SpvLodLane *spv_lod_lane_new   (const guint32 *regions,
                                const gint64  *starts,
                                const gint64  *ends,
                                const guint32 *depths,
                                gsize          n);
void        spv_lod_lane_free  (SpvLodLane    *lane);
gsize       spv_lod_row_visit  (const SpvLodLane *lane,
                                guint             row,
                                const SpvTimeMap *map,
                                SpvLodFunc        func,
                                gpointer          user_data);
gboolean    spv_lod_row_hit    (const SpvLodLane *lane,
                                guint             row,
                                double            t,
                                double            slop,
                                gsize            *hit);

G_END_DECLS
