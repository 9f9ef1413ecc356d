/* sp-session-model.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Building the model (sp-session-model-private.h) from the raw container:
 * regions sorted by name, each series sorted, the lanes merged from their
 * series with the nesting and self times found in one pass, and the
 * statistics per region and rank. It stands apart from SpSession because
 * it is all of the analysis a load does and none of the GObject API; the
 * API only reads what is built here. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sp-region-stats-private.h"
#include "sp-session-model-private.h"
#include "sp-running-stats-private.h"

static guint
series_hash (gconstpointer key)
{
  const SpSessionSeries *series = key;

  return (series->region * 2654435761u) ^ (series->rank * 40503u) ^ g_int64_hash (&series->thread);
}

static gboolean
series_equal (gconstpointer a,
              gconstpointer b)
{
  const SpSessionSeries *x = a;
  const SpSessionSeries *y = b;

  return x->region == y->region && x->rank == y->rank && x->thread == y->thread;
}

static gpointer
new_array (gsize n,
           gsize size)
{
  gpointer data = g_malloc_n (MAX (n, 1), size);

  sp_session_advise_huge (data, MAX (n, 1) * size);
  return data;
}

static void
series_free (gpointer data)
{
  SpSessionSeries *series = data;

  g_free (series->starts);
  g_free (series->ends);
  g_free (series);
}

static void
lane_free (gpointer data)
{
  SpSessionLane *lane = data;

  g_free (lane->regions);
  g_free (lane->starts);
  g_free (lane->ends);
  g_free (lane->depths);
  g_free (lane->parents);
  g_free (lane);
}

static void
rank_stats_clear (gpointer data)
{
  SpSessionRankStats *rs = data;

  g_clear_pointer (&rs->stats, sp_region_stats_unref);
}

static void
region_free (gpointer data)
{
  SpSessionRegion *region = data;

  sp_session_region_info_clear (&region->info);
  g_clear_pointer (&region->stats, sp_region_stats_unref);
  g_clear_pointer (&region->rank_stats, g_array_unref);
  g_clear_pointer (&region->file_ranks, g_array_unref);
  g_free (region);
}

static void
rank_clear (gpointer data)
{
  SpSessionRank *rank = data;

  g_clear_pointer (&rank->threads, g_array_unref);
}

void
sp_session_model_free (SpSessionModel *model)
{

  if (model == NULL)
    return;

  g_clear_pointer (&model->metadata, g_hash_table_unref);
  g_clear_pointer (&model->region_by_name, g_hash_table_unref);
  g_clear_pointer (&model->regions, g_ptr_array_unref);
  g_clear_pointer (&model->ranks, g_array_unref);
  g_clear_pointer (&model->rank_numbers, g_free);
  g_clear_pointer (&model->file_ranks, g_free);
  g_clear_pointer (&model->threads, g_hash_table_unref);
  g_clear_pointer (&model->series_index, g_hash_table_unref);
  g_clear_pointer (&model->series, g_ptr_array_unref);
  g_clear_pointer (&model->lanes, g_ptr_array_unref);
  g_free (model);
}

static int
compare_region_names (const void *a,
                      const void *b)
{
  const SpSessionRegionInfo *x = *(SpSessionRegionInfo * const *) a;
  const SpSessionRegionInfo *y = *(SpSessionRegionInfo * const *) b;

  return strcmp (x->name, y->name);
}

static int
compare_series (const void *a,
                const void *b)
{
  const SpSessionSeries *x = *(SpSessionSeries * const *) a;
  const SpSessionSeries *y = *(SpSessionSeries * const *) b;

  if (x->region != y->region)
    return x->region < y->region ? -1 : 1;
  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->thread != y->thread)
    return x->thread < y->thread ? -1 : 1;
  return 0;
}

static int
compare_series_by_lane (const void *a,
                        const void *b)
{
  const SpSessionSeries *x = *(SpSessionSeries * const *) a;
  const SpSessionSeries *y = *(SpSessionSeries * const *) b;

  if (x->rank != y->rank)
    return x->rank < y->rank ? -1 : 1;
  if (x->thread != y->thread)
    return x->thread < y->thread ? -1 : 1;
  if (x->region != y->region)
    return x->region < y->region ? -1 : 1;
  return 0;
}

static int
compare_guint (const void *a,
               const void *b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return (x > y) - (x < y);
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  gint64 start;
  gint64 end;
} Pair;

/* Outer intervals first: by start, then longest first. */
static int
compare_pairs (const void *a,
               const void *b)
{
  const Pair *x = a;
  const Pair *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;
  return 0;
}

/* Sorts one series by start, then end descending (equal intervals are
 * indistinguishable, so stability does not matter). SpSessionSeries read from our
 * files are in order already, except around recursion. */
static void
sort_series (SpSessionSeries *series)
{
  g_autofree Pair *pairs = NULL;
  gsize i;

  for (i = 1; i < series->n; i++)
    {
      if (series->starts[i - 1] > series->starts[i] ||
          (series->starts[i - 1] == series->starts[i] && series->ends[i - 1] < series->ends[i]))
        break;
    }
  if (i >= series->n)
    return;

  pairs = g_new (Pair, series->n);
  for (i = 0; i < series->n; i++)
    pairs[i] = (Pair) { series->starts[i], series->ends[i] };
  qsort (pairs, series->n, sizeof (Pair), compare_pairs);
  for (i = 0; i < series->n; i++)
    {
      series->starts[i] = pairs[i].start;
      series->ends[i] = pairs[i].end;
    }
}

/* The merge's order between the heads of two series: start, then longest
 * first, then the series' order (so the result never depends on the heap). */
static inline gboolean
head_before (SpSessionSeries **series,
             gsize            *cursor,
             guint             a,
             guint             b)
{
  gint64 sa = series[a]->starts[cursor[a]];
  gint64 sb = series[b]->starts[cursor[b]];
  gint64 ea, eb;

  if (sa != sb)
    return sa < sb;
  ea = series[a]->ends[cursor[a]];
  eb = series[b]->ends[cursor[b]];
  if (ea != eb)
    return ea > eb;
  return a < b;
}

static void
heap_sift_down (guint            *heap,
                guint             n,
                guint             at,
                SpSessionSeries **series,
                gsize            *cursor)
{
  for (;;)
    {
      guint smallest = at;
      guint l = 2 * at + 1;
      guint r = l + 1;
      guint tmp;

      if (l < n && head_before (series, cursor, heap[l], heap[smallest]))
        smallest = l;
      if (r < n && head_before (series, cursor, heap[r], heap[smallest]))
        smallest = r;
      if (smallest == at)
        return;
      tmp = heap[at];
      heap[at] = heap[smallest];
      heap[smallest] = tmp;
      at = smallest;
    }
}

typedef struct
{
  gsize  index;        /* in the lane */
  guint  series;       /* in the lane's group */
  gint64 child_time;   /* time of the calls nested directly in it */
} Open;

/* Closes the innermost open interval: its self time is known now. */
static inline void
close_open (Open                 *open,
            SpSessionSeries     **series,
            const SpSessionLane  *lane)
{
  SpSessionSeries *s = series[open->series];
  gint64 duration = lane->ends[open->index] - lane->starts[open->index];

  s->self_total = sp_saturating_add (s->self_total, duration - open->child_time);
}

/* Builds one lane from its series: each series sorted, then merged in
 * order (a heap over the series' heads), the nesting found with a stack of
 * open intervals as the merge goes, and the self time of each series
 * summed as intervals close. The only memory touched is the lane's own and
 * a stack as deep as the nesting. */
static SpSessionLane *
build_lane (SpSessionSeries **series,
            guint             n_series)
{
  g_autofree guint *heap = g_new (guint, n_series);
  g_autofree gsize *cursor = g_new0 (gsize, n_series);
  g_autofree Open *stack = NULL;
  gsize stack_size = 64;
  guint n_heap = 0;
  SpSessionLane *lane;
  gsize n = 0;
  gsize sp = 0;

  for (guint i = 0; i < n_series; i++)
    {
      sort_series (series[i]);
      series[i]->self_total = 0;
      n += series[i]->n;
      if (series[i]->n > 0)
        heap[n_heap++] = i;
    }

  lane = g_new0 (SpSessionLane, 1);
  lane->rank = series[0]->rank;
  lane->thread = series[0]->thread;
  lane->n = n;
  lane->regions = new_array (n, sizeof (guint32));
  lane->starts = new_array (n, sizeof (gint64));
  lane->ends = new_array (n, sizeof (gint64));
  lane->depths = new_array (n, sizeof (guint32));
  lane->parents = new_array (n, sizeof (gint64));

  stack = g_new (Open, stack_size);

  for (guint i = n_heap / 2; i-- > 0;)
    heap_sift_down (heap, n_heap, i, series, cursor);

  for (gsize i = 0; i < n; i++)
    {
      guint which = heap[0];
      SpSessionSeries *from = series[which];
      gint64 s = from->starts[cursor[which]];
      gint64 e = from->ends[cursor[which]];
      gint64 parent = -1;
      Open *parent_open = NULL;

      if (++cursor[which] == from->n)
        heap[0] = heap[--n_heap];
      if (n_heap > 1)
        heap_sift_down (heap, n_heap, 0, series, cursor);

      /* Everything that ended by now is no longer open. */
      while (sp > 0 && lane->ends[stack[sp - 1].index] <= s)
        close_open (&stack[--sp], series, lane);

      if (sp > 0)
        {
          if (lane->ends[stack[sp - 1].index] >= e)
            {
              parent_open = &stack[sp - 1];
            }
          else
            {
              /* Starts inside the innermost open interval but ends after
               * it: not nested. Count it, and hang it under the nearest
               * interval that really contains it. */
              lane->n_overlaps++;
              for (gsize d = sp - 1; d > 0; d--)
                {
                  if (lane->ends[stack[d - 1].index] >= e)
                    {
                      parent_open = &stack[d - 1];
                      break;
                    }
                }
            }
        }

      if (parent_open != NULL)
        {
          parent = (gint64) parent_open->index;
          parent_open->child_time = sp_saturating_add (parent_open->child_time, e - s);
        }

      lane->regions[i] = from->region;
      lane->starts[i] = s;
      lane->ends[i] = e;
      lane->parents[i] = parent;
      lane->depths[i] = parent < 0 ? 0 : lane->depths[parent] + 1;

      if (sp == stack_size)
        {
          stack_size *= 2;
          stack = g_renew (Open, stack, stack_size);
        }
      stack[sp++] = (Open) { i, which, 0 };
    }

  while (sp > 0)
    close_open (&stack[--sp], series, lane);

  return lane;
}

static SpRegionStats *
stats_for_series (SpSessionSeries **series,
                  guint             n_series,
                  gint64           *scratch)
{
  gint64 self_total = 0;
  gsize k = 0;

  for (guint i = 0; i < n_series; i++)
    {
      for (gsize j = 0; j < series[i]->n; j++)
        scratch[k++] = series[i]->ends[j] - series[i]->starts[j];
      self_total = sp_saturating_add (self_total, series[i]->self_total);
    }

  return sp_region_stats_new_from_durations (scratch, k, self_total);
}

static void
model_add_thread (SpSessionModel *model,
                  GArray         *all_ranks,
                  guint           rank,
                  gint64          thread)
{
  for (guint i = 0; i < all_ranks->len; i++)
    {
      SpSessionRank *r = &g_array_index (all_ranks, SpSessionRank, i);

      if (r->rank == rank)
        {
          g_array_append_val (r->threads, thread);
          return;
        }
    }

  {
    SpSessionRank r = { rank, g_array_new (FALSE, FALSE, sizeof (gint64)) };

    g_array_append_val (r.threads, thread);
    g_array_append_val (all_ranks, r);
  }
}

static int
compare_rank (const void *a,
              const void *b)
{
  return compare_guint (&((const SpSessionRank *) a)->rank, &((const SpSessionRank *) b)->rank);
}

/* Turns what the reader found into the model: regions sorted by name,
 * intervals sorted, lanes nested, statistics computed. */
SpSessionModel *
sp_session_model_build (SpSessionRaw          *raw,
                         SpSessionProgressFunc  progress,
                         gpointer               progress_data)
{
  g_autofree guint *region_map = NULL;
  g_autofree SpSessionRegionInfo **infos = NULL;
  g_autoptr(GPtrArray) by_lane = NULL;
  g_autofree gint64 *scratch = NULL;
  GHashTableIter iter;
  gpointer key;
  SpSessionModel *model;
  guint n_regions = raw->regions->len;
  gsize total_events = 0;
  gsize max_region_events = 0;
  gsize done = 0;

  model = g_new0 (SpSessionModel, 1);
  model->schema = raw->schema;
  model->metadata = g_steal_pointer (&raw->metadata);
  model->threads = g_steal_pointer (&raw->threads);
  model->start_time = G_MAXINT64;
  model->end_time = G_MININT64;

  /* Regions, by name */
  infos = g_new (SpSessionRegionInfo *, MAX (n_regions, 1));
  for (guint i = 0; i < n_regions; i++)
    infos[i] = g_ptr_array_index (raw->regions, i);
  qsort (infos, n_regions, sizeof (SpSessionRegionInfo *), compare_region_names);

  model->regions = g_ptr_array_new_full (n_regions, region_free);
  model->region_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  region_map = g_new (guint, MAX (n_regions, 1));

  for (guint i = 0; i < n_regions; i++)
    {
      SpSessionRegion *region = g_new0 (SpSessionRegion, 1);
      SpSessionRegionInfo *info = infos[i];

      region->info = *info;
      memset (info, 0, sizeof *info);
      region->rank_stats = g_array_new (FALSE, FALSE, sizeof (SpSessionRankStats));
      region->file_ranks = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_set_clear_func (region->rank_stats, rank_stats_clear);
      g_ptr_array_add (model->regions, region);
      g_hash_table_insert (model->region_by_name, region->info.name, GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < n_regions; i++)
    {
      const char *name = ((SpSessionRegion *) g_ptr_array_index (model->regions, i))->info.name;
      guint old = GPOINTER_TO_UINT (g_hash_table_lookup (raw->region_by_name, name)) - 1;

      region_map[old] = i;
    }

  /* Series */
  model->series = g_ptr_array_new_with_free_func (series_free);
  model->series_index = g_hash_table_new (series_hash, series_equal);

  g_hash_table_iter_init (&iter, raw->series);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SpSessionRawSeries *rs = key;
      SpSessionSeries *series;
      gsize n = rs->n;

      if (n == 0)
        continue;

      series = g_new0 (SpSessionSeries, 1);
      series->region = region_map[rs->region];
      series->rank = rs->rank;
      series->thread = rs->thread;
      series->n = n;
      series->starts = g_steal_pointer (&rs->starts);
      series->ends = g_steal_pointer (&rs->ends);
      rs->n = 0;
      g_ptr_array_add (model->series, series);
      total_events += n;
    }

  g_ptr_array_sort (model->series, compare_series);
  for (guint i = 0; i < model->series->len; i++)
    g_hash_table_add (model->series_index, g_ptr_array_index (model->series, i));

  /* Lanes */
  /* Borrowed pointers: g_ptr_array_copy() would take the free function. */
  by_lane = g_ptr_array_sized_new (model->series->len);
  for (guint i = 0; i < model->series->len; i++)
    g_ptr_array_add (by_lane, g_ptr_array_index (model->series, i));
  g_ptr_array_sort (by_lane, compare_series_by_lane);
  model->lanes = g_ptr_array_new_with_free_func (lane_free);

  for (guint i = 0; i < by_lane->len;)
    {
      SpSessionSeries **group = (SpSessionSeries **) by_lane->pdata + i;
      guint n_group = 1;
      SpSessionLane *lane;

      while (i + n_group < by_lane->len &&
             group[n_group]->rank == group[0]->rank &&
             group[n_group]->thread == group[0]->thread)
        n_group++;

      lane = build_lane (group, n_group);
      model->n_overlaps += lane->n_overlaps;
      if (lane->n > 0)
        {
          model->start_time = MIN (model->start_time, lane->starts[0]);
          for (gsize j = 0; j < lane->n; j++)
            model->end_time = MAX (model->end_time, lane->ends[j]);
        }
      g_ptr_array_add (model->lanes, lane);

      done += lane->n;
      if (progress != NULL && total_events > 0)
        progress (0.8 + 0.1 * (double) done / (double) total_events, progress_data);

      i += n_group;
    }

  if (model->start_time > model->end_time)
    model->start_time = model->end_time = 0;

  /* Ranks and their threads: from the intervals and the thread tables */
  model->ranks = g_array_new (FALSE, FALSE, sizeof (SpSessionRank));
  g_array_set_clear_func (model->ranks, rank_clear);
  for (guint i = 0; i < model->lanes->len; i++)
    {
      SpSessionLane *lane = g_ptr_array_index (model->lanes, i);

      model_add_thread (model, model->ranks, lane->rank, lane->thread);
    }

  g_hash_table_iter_init (&iter, model->threads);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SpSessionThreadInfo *info = key;
      gboolean has_lane = FALSE;

      for (guint i = 0; i < model->ranks->len && !has_lane; i++)
        {
          SpSessionRank *r = &g_array_index (model->ranks, SpSessionRank, i);

          if (r->rank != info->rank)
            continue;
          for (guint j = 0; j < r->threads->len; j++)
            if (g_array_index (r->threads, gint64, j) == info->thread)
              has_lane = TRUE;
        }

      if (!has_lane)
        model_add_thread (model, model->ranks, info->rank, info->thread);
    }

  g_array_sort (model->ranks, compare_rank);
  model->rank_numbers = g_new (guint, MAX (model->ranks->len, 1));
  for (guint i = 0; i < model->ranks->len; i++)
    {
      g_array_sort (g_array_index (model->ranks, SpSessionRank, i).threads, compare_gint64);
      model->rank_numbers[i] = g_array_index (model->ranks, SpSessionRank, i).rank;
    }

  /* Ranks the file names without data, besides those with data */
  {
    GHashTableIter rank_iter;
    gpointer rank_key;
    guint n = model->ranks->len;

    model->file_ranks = g_new (guint, model->ranks->len + g_hash_table_size (raw->file_ranks) + 1);
    memcpy (model->file_ranks, model->rank_numbers, model->ranks->len * sizeof (guint));

    g_hash_table_iter_init (&rank_iter, raw->file_ranks);
    while (g_hash_table_iter_next (&rank_iter, &rank_key, NULL))
      {
        guint rank = GPOINTER_TO_UINT (rank_key) - 1;
        gboolean known = FALSE;

        for (guint i = 0; i < model->ranks->len && !known; i++)
          known = model->rank_numbers[i] == rank;
        if (!known)
          model->file_ranks[n++] = rank;
      }

    qsort (model->file_ranks, n, sizeof (guint), compare_guint);
    model->n_file_ranks = n;
  }

  /* Statistics, per region and per (region, rank) */
  for (guint i = 0; i < model->series->len;)
    {
      SpSessionSeries **group = (SpSessionSeries **) model->series->pdata + i;
      guint n_group = 1;
      gsize n_events = group[0]->n;

      while (i + n_group < model->series->len && group[n_group]->region == group[0]->region)
        n_events += group[n_group++]->n;

      max_region_events = MAX (max_region_events, n_events);
      i += n_group;
    }

  scratch = g_new (gint64, MAX (max_region_events, 1));
  done = 0;

  for (guint r = 0, i = 0; r < model->regions->len; r++)
    {
      SpSessionRegion *region = g_ptr_array_index (model->regions, r);
      /* No intervals at all: pdata is NULL, and NULL + 0 is undefined. */
      SpSessionSeries **group = model->series->len > 0 ? (SpSessionSeries **) model->series->pdata + i : NULL;
      guint n_group = 0;

      while (i + n_group < model->series->len && group[n_group]->region == r)
        n_group++;

      for (guint j = 0; j < n_group;)
        {
          guint n_rank = 1;
          SpSessionRankStats rs;

          while (j + n_rank < n_group && group[j + n_rank]->rank == group[j]->rank)
            n_rank++;

          rs.rank = group[j]->rank;
          rs.stats = stats_for_series (group + j, n_rank, scratch);
          g_array_append_val (region->rank_stats, rs);

          j += n_rank;
        }

      /* On a single rank, the overall statistics are that rank's. */
      if (region->rank_stats->len == 1)
        region->stats = sp_region_stats_ref (g_array_index (region->rank_stats, SpSessionRankStats, 0).stats);
      else
        region->stats = stats_for_series (group, n_group, scratch);

      for (guint j = 0; j < region->rank_stats->len; j++)
        g_array_append_val (region->file_ranks, g_array_index (region->rank_stats, SpSessionRankStats, j).rank);

      i += n_group;

      done += sp_region_stats_get_count (region->stats);
      if (progress != NULL && total_events > 0)
        progress (0.9 + 0.1 * (double) done / (double) total_events, progress_data);
    }

  /* Regions the file has on ranks where they hold no intervals */
  for (guint i = 0; i < raw->region_ranks->len; i++)
    {
      SpSessionRegionRank *pair = &g_array_index (raw->region_ranks, SpSessionRegionRank, i);

      if (pair->region < n_regions)
        {
          SpSessionRegion *region = g_ptr_array_index (model->regions, region_map[pair->region]);

          g_array_append_val (region->file_ranks, pair->rank);
        }
    }

  for (guint r = 0; r < model->regions->len; r++)
    {
      GArray *ranks = ((SpSessionRegion *) g_ptr_array_index (model->regions, r))->file_ranks;
      guint n = 0;

      g_array_sort (ranks, compare_guint);
      for (guint j = 0; j < ranks->len; j++)
        if (n == 0 || g_array_index (ranks, guint, j) != g_array_index (ranks, guint, n - 1))
          g_array_index (ranks, guint, n++) = g_array_index (ranks, guint, j);
      g_array_set_size (ranks, n);
    }

  return model;
}

SpSessionRank *
sp_session_model_find_rank (SpSessionModel *model,
                             guint           rank)
{
  guint lo = 0;
  guint hi = model->ranks->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      SpSessionRank *r = &g_array_index (model->ranks, SpSessionRank, mid);

      if (r->rank == rank)
        return r;
      if (r->rank < rank)
        lo = mid + 1;
      else
        hi = mid;
    }

  return NULL;
}

SpSessionThreadInfo *
sp_session_model_find_thread (SpSessionModel *model,
                               guint           rank,
                               gint64          thread)
{
  SpSessionThreadInfo probe = { rank, thread, -1, NULL };

  return g_hash_table_lookup (model->threads, &probe);
}

SpSessionSeries *
sp_session_model_find_series (SpSessionModel *model,
                               guint           region,
                               guint           rank,
                               gint64          thread)
{
  SpSessionSeries probe = { region, rank, thread, 0, NULL, NULL, 0 };

  return g_hash_table_lookup (model->series_index, &probe);
}
