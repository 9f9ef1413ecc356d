/* spv-lod.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "spv-config.h"

#include <math.h>

#include "spv-lod.h"

/* The view never shows less than this many nanoseconds per pixel nor more
 * than the session (with a margin), so zooming cannot lose the data. */
#define MIN_NS_PER_PX 0.01

static void
spv_time_map_clamp (SpvTimeMap *map,
                    double      min_t,
                    double      max_t)
{
  double span = MAX (max_t - min_t, 1.0);
  double max_ns_per_px = span * 1.05 / MAX (map->width, 1.0);
  double visible;

  map->ns_per_px = CLAMP (map->ns_per_px, MIN_NS_PER_PX, MAX (max_ns_per_px, MIN_NS_PER_PX));
  visible = map->ns_per_px * map->width;

  if (visible >= span)
    map->t0 = min_t - (visible - span) / 2;
  else
    map->t0 = CLAMP (map->t0, min_t, max_t - visible);
}

/* Zooms by @factor (> 1 zooms in) keeping the time under @anchor_x in place. */
void
spv_time_map_zoom (SpvTimeMap *map,
                   double      anchor_x,
                   double      factor,
                   double      min_t,
                   double      max_t)
{
  double anchor_t = spv_time_map_to_time (map, anchor_x);

  if (!(factor > 0))
    return;

  map->ns_per_px /= factor;
  map->t0 = anchor_t - anchor_x * map->ns_per_px;
  spv_time_map_clamp (map, min_t, max_t);
}

/* Moves the view by @dx pixels; positive shows later times. */
void
spv_time_map_pan (SpvTimeMap *map,
                  double      dx,
                  double      min_t,
                  double      max_t)
{
  map->t0 += dx * map->ns_per_px;
  spv_time_map_clamp (map, min_t, max_t);
}

void
spv_time_map_show (SpvTimeMap *map,
                   double      begin,
                   double      end)
{
  if (end <= begin)
    end = begin + 1;
  map->ns_per_px = MAX ((end - begin) / MAX (map->width, 1.0), MIN_NS_PER_PX);
  map->t0 = begin;
}

SpvLodLane *
spv_lod_lane_new (const guint32 *regions,
                  const gint64  *starts,
                  const gint64  *ends,
                  const guint32 *depths,
                  gsize          n)
{
  SpvLodLane *lane = g_new0 (SpvLodLane, 1);
  guint max_depth = 0;

  lane->regions = regions;
  lane->starts = starts;
  lane->ends = ends;
  lane->n = n;

  for (gsize i = 0; i < n; i++)
    max_depth = MAX (max_depth, depths[i]);

  lane->n_rows = n > 0 ? max_depth + 1 : 0;
  lane->rows = g_new0 (SpvLodRow, lane->n_rows);

  for (gsize i = 0; i < n; i++)
    lane->rows[depths[i]].len++;

  for (guint r = 0; r < lane->n_rows; r++)
    {
      lane->rows[r].index = g_new (guint32, lane->rows[r].len);
      lane->rows[r].max_end = g_new (gint64, lane->rows[r].len);
      lane->rows[r].len = 0;
    }

  /* The lane is sorted by start, so each row is too. An interval that
   * ends before it starts is drawn as a sliver at its start: the searches
   * must find it there, so it counts as ending at its start. */
  for (gsize i = 0; i < n; i++)
    {
      SpvLodRow *row = &lane->rows[depths[i]];
      gint64 prev = row->len > 0 ? row->max_end[row->len - 1] : G_MININT64;

      row->index[row->len] = (guint32) i;
      row->max_end[row->len] = MAX (prev, MAX (starts[i], ends[i]));
      row->len++;
    }

  return lane;
}

void
spv_lod_lane_free (SpvLodLane *lane)
{
  if (lane == NULL)
    return;

  for (guint r = 0; r < lane->n_rows; r++)
    {
      g_free (lane->rows[r].index);
      g_free (lane->rows[r].max_end);
    }
  g_free (lane->rows);
  g_free (lane);
}

/* First position in @row whose running end is after @t. */
static gsize
row_first_ending_after (const SpvLodRow *row,
                        double           t)
{
  gsize lo = 0, hi = row->len;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if ((double) row->max_end[mid] > t)
        hi = mid;
      else
        lo = mid + 1;
    }

  return lo;
}

/* First position at or after @from in @row that starts at or after @t. */
static gsize
row_first_starting_at (const SpvLodLane *lane,
                       const SpvLodRow  *row,
                       gsize             from,
                       double            t)
{
  gsize lo = from, hi = row->len;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if ((double) lane->starts[row->index[mid]] >= t)
        hi = mid;
      else
        lo = mid + 1;
    }

  return lo;
}

/* Calls @func for what is visible of depth @row in the view of @map, in
 * time order. Intervals at least a pixel wide come one by one; runs of
 * narrower ones are merged up to the next pixel boundary, found by binary
 * search, so the work is bounded by the pixels across, not by the number of
 * intervals. Returns the number of spans. */
gsize
spv_lod_row_visit (const SpvLodLane *lane,
                   guint             row_index,
                   const SpvTimeMap *map,
                   SpvLodFunc        func,
                   gpointer          user_data)
{
  const SpvLodRow *row;
  double t_end;
  gsize n_spans = 0;
  gsize i;

  if (row_index >= lane->n_rows)
    return 0;

  row = &lane->rows[row_index];
  t_end = spv_time_map_to_time (map, map->width);
  i = row_first_ending_after (row, map->t0);

  while (i < row->len)
    {
      gsize k = row->index[i];
      double x0 = spv_time_map_to_x (map, (double) lane->starts[k]);
      double x1 = spv_time_map_to_x (map, (double) lane->ends[k]);
      SpvLodSpan span;

      if ((double) lane->starts[k] >= t_end)
        break;

      if (x1 - x0 >= 1.0)
        {
          span.x0 = x0;
          span.x1 = x1;
          span.first = k;
          span.count = 1;
          i++;
        }
      else
        {
          double boundary = floor (x0) + 1.0;
          gsize j = row_first_starting_at (lane, row, i + 1,
                                           spv_time_map_to_time (map, boundary));
          gsize last = row->index[j - 1];

          /* Only the last of the merged intervals can reach past the pixel
           * (siblings do not overlap); keep it whole when it is wide. */
          if (j - 1 > i && spv_time_map_to_x (map, (double) lane->ends[last]) - boundary >= 1.0)
            {
              j--;
              last = row->index[j - 1];
            }

          span.x0 = x0;
          span.x1 = MAX (MAX (x1, spv_time_map_to_x (map, (double) lane->ends[last])), x0 + 1.0);
          span.first = k;
          span.count = j - i;
          i = j;
        }

      if (func != NULL)
        func (&span, user_data);
      n_spans++;
    }

  return n_spans;
}

/* Finds the interval of depth @row under time @t, or within @slop ns of it
 * (for intervals narrower than a pixel). */
gboolean
spv_lod_row_hit (const SpvLodLane *lane,
                 guint             row_index,
                 double            t,
                 double            slop,
                 gsize            *hit)
{
  const SpvLodRow *row;
  gsize best = G_MAXSIZE;
  double best_dist = G_MAXDOUBLE;

  if (row_index >= lane->n_rows)
    return FALSE;

  row = &lane->rows[row_index];

  for (gsize i = row_first_ending_after (row, t - slop); i < row->len; i++)
    {
      gsize k = row->index[i];
      double s = (double) lane->starts[k];
      double e = (double) MAX (lane->starts[k], lane->ends[k]);
      double dist;

      if (s > t + slop)
        break;

      dist = (t >= s && t <= e) ? 0 : MIN (fabs (t - s), fabs (t - e));
      if (dist < best_dist)
        {
          best_dist = dist;
          best = k;
          if (dist == 0)
            break;
        }
    }

  if (best == G_MAXSIZE || best_dist > slop)
    return FALSE;

  if (hit != NULL)
    *hit = best;
  return TRUE;
}
