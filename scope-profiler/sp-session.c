/* sp-session.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sp-error.h"
#include "sp-region-stats-private.h"
#include "sp-session-private.h"

/**
 * SpSession:
 *
 * A saved profiling session, read back for analysis.
 *
 * An #SpSession reads the files this library writes and those of the
 * Python scope-profiler package (schemas 1, 2 and 3). Once loaded it is
 * immutable and gives:
 *
 * - the metadata of the run (hostname, command line, ...), as strings,
 *   integers or doubles;
 * - the ranks, and on each rank the threads (with their names where the
 *   file recorded them);
 * - the regions, by index, sorted by name, with their tags and source
 *   location where the file has them;
 * - per region, rank and thread, the intervals as start and end times in
 *   nanoseconds, sorted by start;
 * - per rank and thread (a "lane"), all intervals of all regions with the
 *   nesting reconstructed from containment: depth and parent of each;
 * - per region, over the session and per rank, an #SpRegionStats.
 *
 * Files that are not sessions, or whose contents are inconsistent, fail to
 * load with an error in the %SP_ERROR domain that says what is wrong and
 * where; nothing in a file is trusted.
 *
 * Load a session with [ctor@Session.new_from_file], or, without blocking,
 * with [method@Session.load_async] while watching [property@Session:progress].
 *
 * Since: 0.1
 */

typedef struct
{
  guint   region;
  guint   rank;
  gint64  thread;
  gsize   n;
  gint64 *starts;     /* sorted by start, then end descending */
  gint64 *ends;
  gint64  self_total;
} Series;

typedef struct
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
} Lane;

typedef struct
{
  guint          rank;
  SpRegionStats *stats;
} RankStats;

typedef struct
{
  SpSessionRegionInfo  info;
  SpRegionStats       *stats;
  GArray              *rank_stats;   /* RankStats, sorted by rank */
  GArray              *file_ranks;   /* guint, sorted: ranks the file has it on */
} Region;

typedef struct
{
  guint   rank;
  GArray *threads;                   /* gint64, sorted */
} Rank;

typedef struct
{
  int          schema;
  GHashTable  *metadata;
  GPtrArray   *regions;              /* Region*, sorted by name */
  GHashTable  *region_by_name;       /* borrowed name -> index + 1 */
  GArray      *ranks;                /* Rank, sorted by rank */
  guint       *rank_numbers;         /* the same ranks, as a plain array */
  guint       *file_ranks;           /* rank_numbers and ranks without data */
  guint        n_file_ranks;
  GHashTable  *threads;              /* SpSessionThreadInfo* */
  GPtrArray   *series;               /* Series*, sorted by (region, rank, thread) */
  GHashTable  *series_index;         /* Series* (key == value) */
  GPtrArray   *lanes;                /* Lane*, sorted by (rank, thread) */
  guint64      n_overlaps;
  gint64       start_time;
  gint64       end_time;
} Model;

struct _SpSession
{
  GObject  parent_instance;

  char    *path;
  Model   *model;
  double   progress;
  guint    loading : 1;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOADED,
  PROP_PROGRESS,
  PROP_SCHEMA,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (SpSession, sp_session, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

/* Raw data, as the reader fills it in */

static void
region_info_clear (SpSessionRegionInfo *info)
{
  g_clear_pointer (&info->name, g_free);
  g_clear_pointer (&info->tags, g_strfreev);
  g_clear_pointer (&info->source_file, g_free);
  g_clear_pointer (&info->source_text, g_free);
}

static void
region_info_free (gpointer data)
{
  SpSessionRegionInfo *info = data;

  region_info_clear (info);
  g_free (info);
}

static void
thread_info_free (gpointer data)
{
  SpSessionThreadInfo *info = data;

  g_free (info->name);
  g_free (info);
}

static guint
thread_info_hash (gconstpointer key)
{
  const SpSessionThreadInfo *info = key;

  return info->rank * 2654435761u ^ g_int64_hash (&info->thread);
}

static gboolean
thread_info_equal (gconstpointer a,
                   gconstpointer b)
{
  const SpSessionThreadInfo *x = a;
  const SpSessionThreadInfo *y = b;

  return x->rank == y->rank && x->thread == y->thread;
}

static void
raw_series_free (gpointer data)
{
  SpSessionRawSeries *series = data;

  g_free (series->starts);
  g_free (series->ends);
  g_free (series);
}

/* Series and raw series both start with (region, rank, thread). */
static guint
series_key_hash (gconstpointer key)
{
  const SpSessionRawSeries *series = key;

  return (series->region * 2654435761u) ^ (series->rank * 40503u) ^ g_int64_hash (&series->thread);
}

static gboolean
raw_series_equal (gconstpointer a,
                  gconstpointer b)
{
  const SpSessionRawSeries *x = a;
  const SpSessionRawSeries *y = b;

  return x->region == y->region && x->rank == y->rank && x->thread == y->thread;
}

static guint
series_hash (gconstpointer key)
{
  const Series *series = key;

  return (series->region * 2654435761u) ^ (series->rank * 40503u) ^ g_int64_hash (&series->thread);
}

static gboolean
series_equal (gconstpointer a,
              gconstpointer b)
{
  const Series *x = a;
  const Series *y = b;

  return x->region == y->region && x->rank == y->rank && x->thread == y->thread;
}

SpSessionRaw *
_sp_session_raw_new (void)
{
  SpSessionRaw *raw = g_new0 (SpSessionRaw, 1);

  raw->schema = 1;
  raw->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  raw->regions = g_ptr_array_new_with_free_func (region_info_free);
  raw->region_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  raw->threads = g_hash_table_new_full (thread_info_hash, thread_info_equal, thread_info_free, NULL);
  raw->series = g_hash_table_new_full (series_key_hash, raw_series_equal, raw_series_free, NULL);
  raw->file_ranks = g_hash_table_new (NULL, NULL);
  raw->region_ranks = g_array_new (FALSE, FALSE, sizeof (SpSessionRegionRank));

  return raw;
}

void
_sp_session_raw_free (SpSessionRaw *raw)
{
  if (raw == NULL)
    return;

  g_clear_pointer (&raw->metadata, g_hash_table_unref);
  g_clear_pointer (&raw->region_by_name, g_hash_table_unref);
  g_clear_pointer (&raw->regions, g_ptr_array_unref);
  g_clear_pointer (&raw->threads, g_hash_table_unref);
  g_clear_pointer (&raw->series, g_hash_table_unref);
  g_clear_pointer (&raw->file_ranks, g_hash_table_unref);
  g_clear_pointer (&raw->region_ranks, g_array_unref);
  g_free (raw);
}

guint
_sp_session_raw_intern_region (SpSessionRaw *raw,
                               const char   *name)
{
  SpSessionRegionInfo *info;
  gpointer value;

  if ((value = g_hash_table_lookup (raw->region_by_name, name)))
    return GPOINTER_TO_UINT (value) - 1;

  info = g_new0 (SpSessionRegionInfo, 1);
  info->name = g_strdup (name);
  info->source_line = -1;
  g_ptr_array_add (raw->regions, info);
  g_hash_table_insert (raw->region_by_name, info->name, GUINT_TO_POINTER (raw->regions->len));

  return raw->regions->len - 1;
}

SpSessionRawSeries *
_sp_session_raw_get_series (SpSessionRaw *raw,
                            guint         region,
                            guint         rank,
                            gint64        thread)
{
  SpSessionRawSeries key = { region, rank, thread, NULL, NULL, 0 };
  SpSessionRawSeries *series;

  if ((series = g_hash_table_lookup (raw->series, &key)))
    return series;

  series = g_new0 (SpSessionRawSeries, 1);
  series->region = region;
  series->rank = rank;
  series->thread = thread;
  g_hash_table_add (raw->series, series);

  return series;
}

/* Large arrays that a session fills once: asks for transparent huge pages
 * where the kernel gives them on request (THP "madvise" mode). Memory
 * touched for the first time is what a large load spends most of its time
 * on in virtual machines (tens of microseconds per 4 KiB page), and a huge
 * page is faulted in once for 512 of them. */
void
_sp_session_advise_huge (void  *data,
                         gsize  size)
{
#ifdef MADV_HUGEPAGE
  const guintptr huge = 2 * 1024 * 1024;
  guintptr begin = ((guintptr) data + huge - 1) & ~(huge - 1);
  guintptr end = ((guintptr) data + size) & ~(huge - 1);

  if (size >= 2 * huge && end > begin)
    madvise ((void *) begin, end - begin, MADV_HUGEPAGE);
#endif
}

static gpointer
new_array (gsize n,
           gsize size)
{
  gpointer data = g_malloc_n (MAX (n, 1), size);

  _sp_session_advise_huge (data, MAX (n, 1) * size);
  return data;
}

/* Makes room for @n more intervals at the end of @series; @at is where
 * they go. Exact sizes: a large realloc moves no pages (mremap), and memory
 * never touched is never paid for. FALSE when memory runs out (@series
 * keeps its intervals). */
gboolean
_sp_session_raw_series_grow (SpSessionRawSeries *series,
                             gsize               n,
                             gsize              *at)
{
  gint64 *starts;
  gint64 *ends;

  *at = series->n;
  if (n == 0)
    return TRUE;
  if (n > G_MAXSIZE / sizeof (gint64) - series->n)
    return FALSE;

  if (!(starts = g_try_realloc_n (series->starts, series->n + n, sizeof (gint64))))
    return FALSE;
  series->starts = starts;
  if (!(ends = g_try_realloc_n (series->ends, series->n + n, sizeof (gint64))))
    return FALSE;
  series->ends = ends;
  series->n += n;

  _sp_session_advise_huge (series->starts, series->n * sizeof (gint64));
  _sp_session_advise_huge (series->ends, series->n * sizeof (gint64));

  return TRUE;
}

SpSessionThreadInfo *
_sp_session_raw_get_thread (SpSessionRaw *raw,
                            guint         rank,
                            gint64        thread)
{
  SpSessionThreadInfo key = { rank, thread, -1, NULL };
  SpSessionThreadInfo *info;

  if ((info = g_hash_table_lookup (raw->threads, &key)))
    return info;

  info = g_new0 (SpSessionThreadInfo, 1);
  info->rank = rank;
  info->thread = thread;
  info->native_id = -1;
  g_hash_table_add (raw->threads, info);

  return info;
}

/* A rank the file has a place for (a schema-1 rank group), whether or not
 * anything was recorded on it. */
void
_sp_session_raw_add_file_rank (SpSessionRaw *raw,
                               guint         rank)
{
  if (rank < G_MAXUINT)
    g_hash_table_add (raw->file_ranks, GUINT_TO_POINTER (rank + 1));
}

/* A region the file has on a rank (a schema-1 region group, a columnar
 * index row), whether or not it holds intervals. */
void
_sp_session_raw_add_region_rank (SpSessionRaw *raw,
                                 guint         region,
                                 guint         rank)
{
  SpSessionRegionRank pair = { region, rank };

  g_array_append_val (raw->region_ranks, pair);
}

/* The model */

static void
series_free (gpointer data)
{
  Series *series = data;

  g_free (series->starts);
  g_free (series->ends);
  g_free (series);
}

static void
lane_free (gpointer data)
{
  Lane *lane = data;

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
  RankStats *rs = data;

  g_clear_pointer (&rs->stats, sp_region_stats_unref);
}

static void
region_free (gpointer data)
{
  Region *region = data;

  region_info_clear (&region->info);
  g_clear_pointer (&region->stats, sp_region_stats_unref);
  g_clear_pointer (&region->rank_stats, g_array_unref);
  g_clear_pointer (&region->file_ranks, g_array_unref);
  g_free (region);
}

static void
rank_clear (gpointer data)
{
  Rank *rank = data;

  g_clear_pointer (&rank->threads, g_array_unref);
}

static void
model_free (gpointer data)
{
  Model *model = data;

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
  const Series *x = *(Series * const *) a;
  const Series *y = *(Series * const *) b;

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
  const Series *x = *(Series * const *) a;
  const Series *y = *(Series * const *) b;

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
 * indistinguishable, so stability does not matter). Series read from our
 * files are in order already, except around recursion. */
static void
sort_series (Series *series)
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

static inline gint64
saturating_add (gint64 a,
                gint64 b)
{
  gint64 r;

  if (__builtin_add_overflow (a, b, &r))
    return b > 0 ? G_MAXINT64 : G_MININT64;
  return r;
}

/* The merge's order between the heads of two series: start, then longest
 * first, then the series' order (so the result never depends on the heap). */
static inline gboolean
head_before (Series **series,
             gsize   *cursor,
             guint    a,
             guint    b)
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
heap_sift_down (guint   *heap,
                guint    n,
                guint    at,
                Series **series,
                gsize   *cursor)
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
close_open (Open     *open,
            Series  **series,
            const Lane *lane)
{
  Series *s = series[open->series];
  gint64 duration = lane->ends[open->index] - lane->starts[open->index];

  s->self_total = saturating_add (s->self_total, duration - open->child_time);
}

/* Builds one lane from its series: each series sorted, then merged in
 * order (a heap over the series' heads), the nesting found with a stack of
 * open intervals as the merge goes, and the self time of each series
 * summed as intervals close. The only memory touched is the lane's own and
 * a stack as deep as the nesting. */
static Lane *
build_lane (Series **series,
            guint    n_series)
{
  g_autofree guint *heap = g_new (guint, n_series);
  g_autofree gsize *cursor = g_new0 (gsize, n_series);
  g_autofree Open *stack = NULL;
  gsize stack_size = 64;
  guint n_heap = 0;
  Lane *lane;
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

  lane = g_new0 (Lane, 1);
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
      Series *from = series[which];
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
          parent_open->child_time = saturating_add (parent_open->child_time, e - s);
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
stats_for_series (Series **series,
                  guint    n_series,
                  gint64  *scratch)
{
  gint64 self_total = 0;
  gsize k = 0;

  for (guint i = 0; i < n_series; i++)
    {
      for (gsize j = 0; j < series[i]->n; j++)
        scratch[k++] = series[i]->ends[j] - series[i]->starts[j];
      self_total = saturating_add (self_total, series[i]->self_total);
    }

  return _sp_region_stats_new_from_durations (scratch, k, self_total);
}

static void
model_add_thread (Model  *model,
                  GArray *all_ranks,
                  guint   rank,
                  gint64  thread)
{
  for (guint i = 0; i < all_ranks->len; i++)
    {
      Rank *r = &g_array_index (all_ranks, Rank, i);

      if (r->rank == rank)
        {
          g_array_append_val (r->threads, thread);
          return;
        }
    }

  {
    Rank r = { rank, g_array_new (FALSE, FALSE, sizeof (gint64)) };

    g_array_append_val (r.threads, thread);
    g_array_append_val (all_ranks, r);
  }
}

static int
compare_rank (const void *a,
              const void *b)
{
  return compare_guint (&((const Rank *) a)->rank, &((const Rank *) b)->rank);
}

/* Turns what the reader found into the model: regions sorted by name,
 * intervals sorted, lanes nested, statistics computed. */
static Model *
model_build (SpSessionRaw          *raw,
             SpSessionProgressFunc  progress,
             gpointer               progress_data)
{
  g_autofree guint *region_map = NULL;
  g_autofree SpSessionRegionInfo **infos = NULL;
  g_autoptr(GPtrArray) by_lane = NULL;
  g_autofree gint64 *scratch = NULL;
  GHashTableIter iter;
  gpointer key;
  Model *model;
  guint n_regions = raw->regions->len;
  gsize total_events = 0;
  gsize max_region_events = 0;
  gsize done = 0;

  model = g_new0 (Model, 1);
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
      Region *region = g_new0 (Region, 1);
      SpSessionRegionInfo *info = infos[i];

      region->info = *info;
      memset (info, 0, sizeof *info);
      region->rank_stats = g_array_new (FALSE, FALSE, sizeof (RankStats));
      region->file_ranks = g_array_new (FALSE, FALSE, sizeof (guint));
      g_array_set_clear_func (region->rank_stats, rank_stats_clear);
      g_ptr_array_add (model->regions, region);
      g_hash_table_insert (model->region_by_name, region->info.name, GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < n_regions; i++)
    {
      const char *name = ((Region *) g_ptr_array_index (model->regions, i))->info.name;
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
      Series *series;
      gsize n = rs->n;

      if (n == 0)
        continue;

      series = g_new0 (Series, 1);
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
      Series **group = (Series **) by_lane->pdata + i;
      guint n_group = 1;
      Lane *lane;

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
  model->ranks = g_array_new (FALSE, FALSE, sizeof (Rank));
  g_array_set_clear_func (model->ranks, rank_clear);
  for (guint i = 0; i < model->lanes->len; i++)
    {
      Lane *lane = g_ptr_array_index (model->lanes, i);

      model_add_thread (model, model->ranks, lane->rank, lane->thread);
    }

  g_hash_table_iter_init (&iter, model->threads);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SpSessionThreadInfo *info = key;
      gboolean has_lane = FALSE;

      for (guint i = 0; i < model->ranks->len && !has_lane; i++)
        {
          Rank *r = &g_array_index (model->ranks, Rank, i);

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
      g_array_sort (g_array_index (model->ranks, Rank, i).threads, compare_gint64);
      model->rank_numbers[i] = g_array_index (model->ranks, Rank, i).rank;
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
      Series **group = (Series **) model->series->pdata + i;
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
      Region *region = g_ptr_array_index (model->regions, r);
      /* No intervals at all: pdata is NULL, and NULL + 0 is undefined. */
      Series **group = model->series->len > 0 ? (Series **) model->series->pdata + i : NULL;
      guint n_group = 0;

      while (i + n_group < model->series->len && group[n_group]->region == r)
        n_group++;

      for (guint j = 0; j < n_group;)
        {
          guint n_rank = 1;
          RankStats rs;

          while (j + n_rank < n_group && group[j + n_rank]->rank == group[j]->rank)
            n_rank++;

          rs.rank = group[j]->rank;
          rs.stats = stats_for_series (group + j, n_rank, scratch);
          g_array_append_val (region->rank_stats, rs);

          j += n_rank;
        }

      /* On a single rank, the overall statistics are that rank's. */
      if (region->rank_stats->len == 1)
        region->stats = sp_region_stats_ref (g_array_index (region->rank_stats, RankStats, 0).stats);
      else
        region->stats = stats_for_series (group, n_group, scratch);

      for (guint j = 0; j < region->rank_stats->len; j++)
        g_array_append_val (region->file_ranks, g_array_index (region->rank_stats, RankStats, j).rank);

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
          Region *region = g_ptr_array_index (model->regions, region_map[pair->region]);

          g_array_append_val (region->file_ranks, pair->rank);
        }
    }

  for (guint r = 0; r < model->regions->len; r++)
    {
      GArray *ranks = ((Region *) g_ptr_array_index (model->regions, r))->file_ranks;
      guint n = 0;

      g_array_sort (ranks, compare_guint);
      for (guint j = 0; j < ranks->len; j++)
        if (n == 0 || g_array_index (ranks, guint, j) != g_array_index (ranks, guint, n - 1))
          g_array_index (ranks, guint, n++) = g_array_index (ranks, guint, j);
      g_array_set_size (ranks, n);
    }

  return model;
}

/* GObject */

static void
sp_session_finalize (GObject *object)
{
  SpSession *self = (SpSession *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->model, model_free);

  G_OBJECT_CLASS (sp_session_parent_class)->finalize (object);
}

static void
sp_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SpSession *self = SP_SESSION (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->model != NULL);
      break;

    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;

    case PROP_SCHEMA:
      g_value_set_int (value, self->model != NULL ? self->model->schema : 0);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_session_class_init (SpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sp_session_finalize;
  object_class->get_property = sp_session_get_property;

  /**
   * SpSession:path:
   *
   * The file the session is loaded from, or %NULL before loading starts.
   *
   * Since: 0.1
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpSession:loaded:
   *
   * Whether the session has been loaded. Only a loaded session can be
   * queried.
   *
   * Since: 0.1
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpSession:progress:
   *
   * How far loading has come, from 0 to 1. During
   * [method@Session.load_async] it is updated, and notified, in the thread
   * default main context of the caller.
   *
   * Since: 0.1
   */
  properties[PROP_PROGRESS] =
    g_param_spec_double ("progress", NULL, NULL,
                         0.0, 1.0, 0.0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * SpSession:schema:
   *
   * The schema version of the file: 1 for our files and the Python
   * package's first format, 2 and 3 for its columnar formats; 0 before the
   * session is loaded.
   *
   * Since: 0.1
   */
  properties[PROP_SCHEMA] =
    g_param_spec_int ("schema", NULL, NULL,
                      0, G_MAXINT, 0,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_session_init (SpSession *self)
{
}

static void
sp_session_set_progress (SpSession *self,
                         double     progress)
{
  /* Late updates from the loading thread must not move it backwards. */
  if (progress <= self->progress || self->model != NULL)
    return;

  self->progress = MIN (progress, 1.0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
sp_session_install (SpSession *self,
                    Model     *model)
{
  g_assert (self->model == NULL);

  self->loading = FALSE;
  self->model = model;
  self->progress = 1.0;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCHEMA]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
sp_session_begin_load (SpSession  *self,
                       const char *path)
{
  self->loading = TRUE;
  self->progress = 0.0;

  if (g_strcmp0 (self->path, path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
    }
}

/**
 * sp_session_new:
 *
 * Creates an empty session, to be loaded with [method@Session.load] or
 * [method@Session.load_async].
 *
 * Returns: (transfer full): a new #SpSession
 *
 * Since: 0.1
 */
SpSession *
sp_session_new (void)
{
  return g_object_new (SP_TYPE_SESSION, NULL);
}

/**
 * sp_session_new_from_file:
 * @path: (type filename): the session file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads the session in @path, blocking until it is read.
 *
 * Returns: (transfer full): a loaded #SpSession, or %NULL with @error set
 *
 * Since: 0.1
 */
SpSession *
sp_session_new_from_file (const char    *path,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(SpSession) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = sp_session_new ();

  if (!sp_session_load (self, path, cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
sync_progress_cb (double   fraction,
                  gpointer user_data)
{
  SpSession *self = user_data;

  if (fraction - self->progress >= 0.01)
    sp_session_set_progress (self, fraction);
}

/**
 * sp_session_load:
 * @self: an #SpSession that is not loaded
 * @path: (type filename): the session file
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Loads the session in @path into @self, blocking until it is read.
 *
 * A session is loaded once; after a failure it may be loaded again.
 * Errors are in the %SP_ERROR domain, or %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE when the session was loaded
 *
 * Since: 0.1
 */
gboolean
sp_session_load (SpSession     *self,
                 const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(SpSessionRaw) raw = NULL;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (self->model == NULL && !self->loading, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);

  sp_session_begin_load (self, path);

  if (!(raw = _sp_h5_read_session (path, cancellable, sync_progress_cb, self, error)))
    {
      self->loading = FALSE;
      return FALSE;
    }

  sp_session_install (self, model_build (raw, sync_progress_cb, self));

  return TRUE;
}

void
_sp_session_load_raw (SpSession    *self,
                      const char   *path,
                      SpSessionRaw *raw)
{
  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (self->model == NULL && !self->loading);

  sp_session_begin_load (self, path);
  sp_session_install (self, model_build (raw, NULL, NULL));
  _sp_session_raw_free (raw);
}

typedef struct
{
  SpSession    *self;
  char         *path;
  GMainContext *context;
  double        reported;   /* touched by the worker only */
} LoadData;

typedef struct
{
  SpSession *self;
  double     fraction;
} ProgressUpdate;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_clear_object (&load->self);
  g_clear_pointer (&load->path, g_free);
  g_clear_pointer (&load->context, g_main_context_unref);
  g_free (load);
}

static void
progress_update_free (gpointer data)
{
  ProgressUpdate *update = data;

  g_clear_object (&update->self);
  g_free (update);
}

static gboolean
progress_update_dispatch (gpointer data)
{
  ProgressUpdate *update = data;

  sp_session_set_progress (update->self, update->fraction);

  return G_SOURCE_REMOVE;
}

/* Runs in the loading thread: only hands the number to the caller's
 * context, and not more often than once per percent. */
static void
async_progress_cb (double   fraction,
                   gpointer user_data)
{
  LoadData *load = user_data;
  ProgressUpdate *update;

  if (fraction - load->reported < 0.01)
    return;

  load->reported = fraction;

  update = g_new0 (ProgressUpdate, 1);
  update->self = g_object_ref (load->self);
  update->fraction = fraction;

  g_main_context_invoke_full (load->context, G_PRIORITY_DEFAULT,
                              progress_update_dispatch, update, progress_update_free);
}

static void
sp_session_load_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  LoadData *load = task_data;
  g_autoptr(SpSessionRaw) raw = NULL;
  GError *error = NULL;

  if (!(raw = _sp_h5_read_session (load->path, cancellable, async_progress_cb, load, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, model_build (raw, async_progress_cb, load), model_free);
}

/**
 * sp_session_load_async:
 * @self: an #SpSession that is not loaded
 * @path: (type filename): the session file
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the session is loaded or loading failed
 * @user_data: data for @callback
 *
 * Loads the session in @path into @self in a worker thread.
 *
 * While it loads, [property@Session:progress] goes from 0 to 1, notified
 * in the thread default main context of the caller. @self must not be
 * queried before [method@Session.load_finish] returned %TRUE.
 *
 * Since: 0.1
 */
void
sp_session_load_async (SpSession           *self,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *load;

  g_return_if_fail (SP_IS_SESSION (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (self->model == NULL && !self->loading);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  sp_session_begin_load (self, path);

  load = g_new0 (LoadData, 1);
  load->self = g_object_ref (self);
  load->path = g_strdup (path);
  load->context = g_main_context_ref_thread_default ();

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_session_load_async);
  g_task_set_task_data (task, load, load_data_free);
  g_task_run_in_thread (task, sp_session_load_thread);
}

/**
 * sp_session_load_finish:
 * @self: an #SpSession
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Completes [method@Session.load_async].
 *
 * Returns: %TRUE when the session was loaded
 *
 * Since: 0.1
 */
gboolean
sp_session_load_finish (SpSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  Model *model;

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sp_session_load_async, FALSE);

  if (!(model = g_task_propagate_pointer (G_TASK (result), error)))
    {
      self->loading = FALSE;
      return FALSE;
    }

  sp_session_install (self, model);

  return TRUE;
}

/**
 * sp_session_get_path:
 * @self: an #SpSession
 *
 * Gets [property@Session:path].
 *
 * Returns: (nullable) (type filename): the path of the session file
 *
 * Since: 0.1
 */
const char *
sp_session_get_path (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), NULL);

  return self->path;
}

/**
 * sp_session_get_loaded:
 * @self: an #SpSession
 *
 * Gets [property@Session:loaded].
 *
 * Returns: whether the session is loaded
 *
 * Since: 0.1
 */
gboolean
sp_session_get_loaded (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);

  return self->model != NULL;
}

/**
 * sp_session_get_progress:
 * @self: an #SpSession
 *
 * Gets [property@Session:progress].
 *
 * Returns: the loading progress, from 0 to 1
 *
 * Since: 0.1
 */
double
sp_session_get_progress (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), 0.0);

  return self->progress;
}

#define RETURN_IF_NOT_LOADED(val)                   \
  G_STMT_START {                                    \
    g_return_val_if_fail (SP_IS_SESSION (self), val); \
    g_return_val_if_fail (self->model != NULL, val);  \
  } G_STMT_END

/**
 * sp_session_get_schema:
 * @self: an #SpSession
 *
 * Gets [property@Session:schema].
 *
 * Returns: the schema version of the file, or 0 when not loaded
 *
 * Since: 0.1
 */
int
sp_session_get_schema (SpSession *self)
{
  g_return_val_if_fail (SP_IS_SESSION (self), 0);

  return self->model != NULL ? self->model->schema : 0;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/**
 * sp_session_list_metadata_keys:
 * @self: a loaded #SpSession
 *
 * Lists the metadata keys of the session, sorted.
 *
 * Returns: (transfer full) (array zero-terminated=1): the keys
 *
 * Since: 0.1
 */
char **
sp_session_list_metadata_keys (SpSession *self)
{
  g_autofree const char **keys = NULL;
  char **ret;
  guint n = 0;

  RETURN_IF_NOT_LOADED (NULL);

  keys = (const char **) g_hash_table_get_keys_as_array (self->model->metadata, &n);
  qsort (keys, n, sizeof (char *), compare_strings);

  ret = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    ret[i] = g_strdup (keys[i]);

  return ret;
}

/**
 * sp_session_get_metadata:
 * @self: a loaded #SpSession
 * @key: a metadata key
 *
 * Gets a metadata value: a string (`s`), an integer (`x`), a double
 * (`d`) or a list of strings (`as`).
 *
 * Returns: (transfer full) (nullable): the value, or %NULL if there is none
 *
 * Since: 0.1
 */
GVariant *
sp_session_get_metadata (SpSession  *self,
                         const char *key)
{
  GVariant *value;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = g_hash_table_lookup (self->model->metadata, key);

  return value != NULL ? g_variant_ref (value) : NULL;
}

/**
 * sp_session_get_metadata_string:
 * @self: a loaded #SpSession
 * @key: a metadata key
 *
 * Gets a string metadata value.
 *
 * Returns: (nullable): the string, or %NULL if @key is absent or not a string
 *
 * Since: 0.1
 */
const char *
sp_session_get_metadata_string (SpSession  *self,
                                const char *key)
{
  GVariant *value;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (key != NULL, NULL);

  value = g_hash_table_lookup (self->model->metadata, key);
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return NULL;

  return g_variant_get_string (value, NULL);
}

/**
 * sp_session_get_metadata_int:
 * @self: a loaded #SpSession
 * @key: a metadata key
 * @value: (out) (optional): the value
 *
 * Gets an integer metadata value.
 *
 * Returns: %TRUE if @key is present and an integer
 *
 * Since: 0.1
 */
gboolean
sp_session_get_metadata_int (SpSession  *self,
                             const char *key,
                             gint64     *value)
{
  GVariant *v;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  v = g_hash_table_lookup (self->model->metadata, key);
  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    return FALSE;

  if (value != NULL)
    *value = g_variant_get_int64 (v);

  return TRUE;
}

/**
 * sp_session_get_metadata_double:
 * @self: a loaded #SpSession
 * @key: a metadata key
 * @value: (out) (optional): the value
 *
 * Gets a floating point metadata value.
 *
 * Returns: %TRUE if @key is present and a floating point number
 *
 * Since: 0.1
 */
gboolean
sp_session_get_metadata_double (SpSession  *self,
                                const char *key,
                                double     *value)
{
  GVariant *v;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  v = g_hash_table_lookup (self->model->metadata, key);
  if (v == NULL || !g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    return FALSE;

  if (value != NULL)
    *value = g_variant_get_double (v);

  return TRUE;
}

static Rank *
find_rank (Model *model,
           guint  rank)
{
  guint lo = 0;
  guint hi = model->ranks->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      Rank *r = &g_array_index (model->ranks, Rank, mid);

      if (r->rank == rank)
        return r;
      if (r->rank < rank)
        lo = mid + 1;
      else
        hi = mid;
    }

  return NULL;
}

/**
 * sp_session_get_ranks:
 * @self: a loaded #SpSession
 * @n_ranks: (out): the number of ranks
 *
 * Gets the ranks that have intervals or threads in the session, sorted.
 *
 * Returns: (transfer none) (array length=n_ranks): the ranks
 *
 * Since: 0.1
 */
const guint *
sp_session_get_ranks (SpSession *self,
                      guint     *n_ranks)
{
  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (n_ranks != NULL, NULL);

  *n_ranks = self->model->ranks->len;

  return self->model->ranks->len > 0 ? self->model->rank_numbers : NULL;
}

/**
 * sp_session_get_file_ranks:
 * @self: a loaded #SpSession
 * @n_ranks: (out): the number of ranks
 *
 * Gets the ranks the file has, in ascending order: those of
 * sp_session_get_ranks() and the ranks whose group in a schema-1 file
 * holds no intervals and no threads (a rank that recorded nothing). The
 * Python scope-profiler package counts these too in its number of ranks.
 *
 * Returns: (transfer none) (array length=n_ranks): the ranks
 *
 * Since: 0.2
 */
const guint *
sp_session_get_file_ranks (SpSession *self,
                           guint     *n_ranks)
{
  g_return_val_if_fail (n_ranks != NULL, NULL);
  *n_ranks = 0;
  RETURN_IF_NOT_LOADED (NULL);

  *n_ranks = self->model->n_file_ranks;

  return self->model->file_ranks;
}

/**
 * sp_session_get_threads:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @n_threads: (out): the number of threads
 *
 * Gets the ids of the threads of @rank, sorted. Intervals recorded without
 * a thread id are on thread %SP_SESSION_THREAD_UNKNOWN (-1).
 *
 * Returns: (transfer none) (array length=n_threads) (nullable): the thread ids
 *
 * Since: 0.1
 */
const gint64 *
sp_session_get_threads (SpSession *self,
                        guint      rank,
                        guint     *n_threads)
{
  Rank *r;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (n_threads != NULL, NULL);

  if (!(r = find_rank (self->model, rank)) || r->threads->len == 0)
    {
      *n_threads = 0;
      return NULL;
    }

  *n_threads = r->threads->len;

  return (const gint64 *) (gpointer) r->threads->data;
}

static SpSessionThreadInfo *
find_thread (Model  *model,
             guint   rank,
             gint64  thread)
{
  SpSessionThreadInfo probe = { rank, thread, -1, NULL };

  return g_hash_table_lookup (model->threads, &probe);
}

/**
 * sp_session_get_thread_name:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @thread: a thread id
 *
 * Gets the name of a thread, where the file recorded one.
 *
 * Returns: (nullable): the name of the thread
 *
 * Since: 0.1
 */
const char *
sp_session_get_thread_name (SpSession *self,
                            guint      rank,
                            gint64     thread)
{
  SpSessionThreadInfo *info;

  RETURN_IF_NOT_LOADED (NULL);

  info = find_thread (self->model, rank, thread);

  return info != NULL ? info->name : NULL;
}

/**
 * sp_session_get_thread_native_id:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @thread: a thread id
 *
 * Gets the operating system's id of a thread (a TID on Linux), where the
 * file recorded one.
 *
 * Returns: the native id, or -1 when unknown
 *
 * Since: 0.1
 */
gint64
sp_session_get_thread_native_id (SpSession *self,
                                 guint      rank,
                                 gint64     thread)
{
  SpSessionThreadInfo *info;

  RETURN_IF_NOT_LOADED (-1);

  info = find_thread (self->model, rank, thread);

  return info != NULL ? info->native_id : -1;
}

/**
 * sp_session_get_start_time:
 * @self: a loaded #SpSession
 *
 * Gets the earliest start of an interval in the session.
 *
 * Returns: the time in nanoseconds, or 0 when the session has no intervals
 *
 * Since: 0.1
 */
gint64
sp_session_get_start_time (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->start_time;
}

/**
 * sp_session_get_end_time:
 * @self: a loaded #SpSession
 *
 * Gets the latest end of an interval in the session.
 *
 * Returns: the time in nanoseconds, or 0 when the session has no intervals
 *
 * Since: 0.1
 */
gint64
sp_session_get_end_time (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->end_time;
}

/**
 * sp_session_get_n_regions:
 * @self: a loaded #SpSession
 *
 * Gets the number of regions. Regions are numbered from 0, sorted by name.
 *
 * Returns: the number of regions
 *
 * Since: 0.1
 */
guint
sp_session_get_n_regions (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->regions->len;
}

/**
 * sp_session_lookup_region:
 * @self: a loaded #SpSession
 * @name: a region name
 * @region: (out) (optional): the index of the region
 *
 * Finds a region by its exact name.
 *
 * Returns: %TRUE if the session has a region called @name
 *
 * Since: 0.1
 */
gboolean
sp_session_lookup_region (SpSession  *self,
                          const char *name,
                          guint      *region)
{
  gpointer value;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!(value = g_hash_table_lookup (self->model->region_by_name, name)))
    return FALSE;

  if (region != NULL)
    *region = GPOINTER_TO_UINT (value) - 1;

  return TRUE;
}

#define GET_REGION(val)                                           \
  RETURN_IF_NOT_LOADED (val);                                     \
  g_return_val_if_fail (region < self->model->regions->len, val); \
  r = g_ptr_array_index (self->model->regions, region)

/**
 * sp_session_get_region_name:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the exact name of a region.
 *
 * Returns: the name
 *
 * Since: 0.1
 */
const char *
sp_session_get_region_name (SpSession *self,
                            guint      region)
{
  Region *r;

  GET_REGION (NULL);

  return r->info.name;
}

/**
 * sp_session_get_region_tags:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the tags of a region, where the file has them.
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the tags
 *
 * Since: 0.1
 */
const char * const *
sp_session_get_region_tags (SpSession *self,
                            guint      region)
{
  Region *r;

  GET_REGION (NULL);

  return (const char * const *) r->info.tags;
}

/**
 * sp_session_get_region_source_file:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the source file the region was defined in, where the file has it.
 *
 * Returns: (nullable): the source file
 *
 * Since: 0.1
 */
const char *
sp_session_get_region_source_file (SpSession *self,
                                   guint      region)
{
  Region *r;

  GET_REGION (NULL);

  return r->info.source_file;
}

/**
 * sp_session_get_region_source_line:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the source line the region was defined at, where the file has it.
 *
 * Returns: the line, or -1 when unknown
 *
 * Since: 0.1
 */
gint64
sp_session_get_region_source_line (SpSession *self,
                                   guint      region)
{
  Region *r;

  GET_REGION (-1);

  return r->info.source_line;
}

/**
 * sp_session_get_region_source_text:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the source text of the region's definition, where the file has it.
 *
 * Returns: (nullable): the source text
 *
 * Since: 0.1
 */
const char *
sp_session_get_region_source_text (SpSession *self,
                                   guint      region)
{
  Region *r;

  GET_REGION (NULL);

  return r->info.source_text;
}

/**
 * sp_session_get_region_stats:
 * @self: a loaded #SpSession
 * @region: a region index
 *
 * Gets the statistics of a region over all ranks and threads.
 *
 * Returns: (transfer full): the statistics
 *
 * Since: 0.1
 */
SpRegionStats *
sp_session_get_region_stats (SpSession *self,
                             guint      region)
{
  Region *r;

  GET_REGION (NULL);

  return sp_region_stats_ref (r->stats);
}

/**
 * sp_session_get_region_stats_for_rank:
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 *
 * Gets the statistics of a region on one rank, over all its threads.
 *
 * Returns: (transfer full): the statistics; their count is 0 when the
 *   region has no intervals on @rank
 *
 * Since: 0.1
 */
SpRegionStats *
sp_session_get_region_stats_for_rank (SpSession *self,
                                      guint      region,
                                      guint      rank)
{
  Region *r;

  GET_REGION (NULL);

  for (guint i = 0; i < r->rank_stats->len; i++)
    {
      RankStats *rs = &g_array_index (r->rank_stats, RankStats, i);

      if (rs->rank == rank)
        return sp_region_stats_ref (rs->stats);
    }

  return _sp_region_stats_new_from_durations (NULL, 0, 0);
}

/**
 * sp_session_get_region_file_ranks:
 * @self: a loaded #SpSession
 * @region: a region index
 * @n_ranks: (out): the number of ranks
 *
 * Gets the ranks on which the file has @region, in ascending order: those
 * where it has intervals and those where the file holds it without any
 * (empty datasets of a schema-1 region group, or an index row without
 * events). The Python scope-profiler package lists a region on such ranks
 * too, with no calls.
 *
 * Returns: (transfer none) (array length=n_ranks): the ranks
 *
 * Since: 0.2
 */
const guint *
sp_session_get_region_file_ranks (SpSession *self,
                                  guint      region,
                                  guint     *n_ranks)
{
  Region *r;

  g_return_val_if_fail (n_ranks != NULL, NULL);
  *n_ranks = 0;

  GET_REGION (NULL);

  *n_ranks = r->file_ranks->len;

  return (const guint *) r->file_ranks->data;
}

static Series *
find_series (Model  *model,
             guint   region,
             guint   rank,
             gint64  thread)
{
  Series probe = { region, rank, thread, 0, NULL, NULL, 0 };

  return g_hash_table_lookup (model->series_index, &probe);
}

/**
 * sp_session_peek_intervals: (skip)
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 * @starts: (out) (optional): the start times
 * @ends: (out) (optional): the end times
 * @n_intervals: (out) (optional): the number of intervals
 *
 * Gets the intervals of @region on @rank and @thread, in nanoseconds,
 * sorted by start time and, for equal starts, longest first. The arrays
 * belong to @self.
 *
 * Returns: %TRUE if the region has intervals on that rank and thread
 *
 * Since: 0.1
 */
gboolean
sp_session_peek_intervals (SpSession     *self,
                           guint          region,
                           guint          rank,
                           gint64         thread,
                           const gint64 **starts,
                           const gint64 **ends,
                           gsize         *n_intervals)
{
  Series *series;

  RETURN_IF_NOT_LOADED (FALSE);
  g_return_val_if_fail (region < self->model->regions->len, FALSE);

  series = find_series (self->model, region, rank, thread);

  if (starts != NULL)
    *starts = series != NULL ? series->starts : NULL;
  if (ends != NULL)
    *ends = series != NULL ? series->ends : NULL;
  if (n_intervals != NULL)
    *n_intervals = series != NULL ? series->n : 0;

  return series != NULL;
}

/* The model never changes once loaded, so its arrays are handed out
 * without a copy, keeping the session alive. */
static GBytes *
wrap_array (SpSession     *self,
            gconstpointer  data,
            gsize          size)
{
  if (data == NULL || size == 0)
    return g_bytes_new (NULL, 0);

  return g_bytes_new_with_free_func (data, size, g_object_unref, g_object_ref (self));
}

/**
 * sp_session_get_start_times:
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 *
 * Gets the start times of the intervals of @region on @rank and @thread
 * as native-endian int64 nanoseconds, in the order of
 * sp_session_peek_intervals().
 *
 * Returns: (transfer full): the start times; empty if there are none
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_start_times (SpSession *self,
                            guint      region,
                            guint      rank,
                            gint64     thread)
{
  const gint64 *starts = NULL;
  gsize n = 0;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (region < self->model->regions->len, NULL);

  sp_session_peek_intervals (self, region, rank, thread, &starts, NULL, &n);

  return wrap_array (self, starts, n * sizeof (gint64));
}

/**
 * sp_session_get_end_times:
 * @self: a loaded #SpSession
 * @region: a region index
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 *
 * Gets the end times of the intervals of @region on @rank and @thread as
 * native-endian int64 nanoseconds, in the order of
 * sp_session_peek_intervals().
 *
 * Returns: (transfer full): the end times; empty if there are none
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_end_times (SpSession *self,
                          guint      region,
                          guint      rank,
                          gint64     thread)
{
  const gint64 *ends = NULL;
  gsize n = 0;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (region < self->model->regions->len, NULL);

  sp_session_peek_intervals (self, region, rank, thread, NULL, &ends, &n);

  return wrap_array (self, ends, n * sizeof (gint64));
}

/**
 * sp_session_get_n_lanes:
 * @self: a loaded #SpSession
 *
 * Gets the number of lanes. A lane is one thread of one rank; lanes are
 * numbered from 0, sorted by rank, then thread id.
 *
 * Returns: the number of lanes
 *
 * Since: 0.1
 */
guint
sp_session_get_n_lanes (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->lanes->len;
}

/**
 * sp_session_lookup_lane:
 * @self: a loaded #SpSession
 * @rank: a rank
 * @thread: a thread id, or %SP_SESSION_THREAD_UNKNOWN
 * @lane: (out) (optional): the lane index
 *
 * Finds the lane of a thread of a rank.
 *
 * Returns: %TRUE if that thread has intervals
 *
 * Since: 0.1
 */
gboolean
sp_session_lookup_lane (SpSession *self,
                        guint      rank,
                        gint64     thread,
                        guint     *lane)
{
  guint lo = 0;
  guint hi;

  RETURN_IF_NOT_LOADED (FALSE);

  /* Lanes are sorted by (rank, thread). */
  hi = self->model->lanes->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      Lane *l = g_ptr_array_index (self->model->lanes, mid);

      if (l->rank == rank && l->thread == thread)
        {
          if (lane != NULL)
            *lane = mid;
          return TRUE;
        }

      if (l->rank < rank || (l->rank == rank && l->thread < thread))
        lo = mid + 1;
      else
        hi = mid;
    }

  return FALSE;
}

#define GET_LANE(val)                                            \
  RETURN_IF_NOT_LOADED (val);                                    \
  g_return_val_if_fail (lane < self->model->lanes->len, val);    \
  l = g_ptr_array_index (self->model->lanes, lane)

/**
 * sp_session_get_lane_rank:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the rank of a lane.
 *
 * Returns: the rank
 *
 * Since: 0.1
 */
guint
sp_session_get_lane_rank (SpSession *self,
                          guint      lane)
{
  Lane *l;

  GET_LANE (0);

  return l->rank;
}

/**
 * sp_session_get_lane_thread:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the thread id of a lane.
 *
 * Returns: the thread id, or %SP_SESSION_THREAD_UNKNOWN
 *
 * Since: 0.1
 */
gint64
sp_session_get_lane_thread (SpSession *self,
                            guint      lane)
{
  Lane *l;

  GET_LANE (-1);

  return l->thread;
}

/**
 * sp_session_peek_lane: (skip)
 * @self: a loaded #SpSession
 * @lane: a lane index
 * @regions: (out) (optional): the region index of each interval
 * @starts: (out) (optional): the start times
 * @ends: (out) (optional): the end times
 * @depths: (out) (optional): the nesting depth of each interval, 0 at the top
 * @parents: (out) (optional): the index, in the lane, of each interval's
 *   parent, or -1 for top-level intervals
 *
 * Gets all intervals of a lane, of every region, sorted by start time and,
 * for equal starts, longest first, with the nesting reconstructed from
 * containment. An interval that starts inside another but ends after it
 * is counted by sp_session_get_lane_n_overlaps() and given as parent the
 * nearest interval that contains it. The arrays belong to @self.
 *
 * Returns: the number of intervals
 *
 * Since: 0.1
 */
gsize
sp_session_peek_lane (SpSession      *self,
                      guint           lane,
                      const guint32 **regions,
                      const gint64  **starts,
                      const gint64  **ends,
                      const guint32 **depths,
                      const gint64  **parents)
{
  Lane *l;

  GET_LANE (0);

  if (regions != NULL)
    *regions = l->regions;
  if (starts != NULL)
    *starts = l->starts;
  if (ends != NULL)
    *ends = l->ends;
  if (depths != NULL)
    *depths = l->depths;
  if (parents != NULL)
    *parents = l->parents;

  return l->n;
}

/**
 * sp_session_get_lane_regions:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the region index of each interval of a lane, as native-endian
 * uint32, in the order of sp_session_peek_lane().
 *
 * Returns: (transfer full): the region indices
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_regions (SpSession *self,
                             guint      lane)
{
  Lane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->regions, l->n * sizeof (guint32));
}

/**
 * sp_session_get_lane_start_times:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the start times of the intervals of a lane, as native-endian int64
 * nanoseconds, in the order of sp_session_peek_lane().
 *
 * Returns: (transfer full): the start times
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_start_times (SpSession *self,
                                 guint      lane)
{
  Lane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->starts, l->n * sizeof (gint64));
}

/**
 * sp_session_get_lane_end_times:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the end times of the intervals of a lane, as native-endian int64
 * nanoseconds, in the order of sp_session_peek_lane().
 *
 * Returns: (transfer full): the end times
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_end_times (SpSession *self,
                               guint      lane)
{
  Lane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->ends, l->n * sizeof (gint64));
}

/**
 * sp_session_get_lane_depths:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the nesting depth of each interval of a lane, 0 for top-level
 * intervals, as native-endian uint32, in the order of
 * sp_session_peek_lane().
 *
 * Returns: (transfer full): the depths
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_depths (SpSession *self,
                            guint      lane)
{
  Lane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->depths, l->n * sizeof (guint32));
}

/**
 * sp_session_get_lane_parents:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the parent of each interval of a lane, as its index in the lane or
 * -1 for top-level intervals, as native-endian int64, in the order of
 * sp_session_peek_lane().
 *
 * Returns: (transfer full): the parents
 *
 * Since: 0.1
 */
GBytes *
sp_session_get_lane_parents (SpSession *self,
                             guint      lane)
{
  Lane *l;

  GET_LANE (NULL);

  return wrap_array (self, l->parents, l->n * sizeof (gint64));
}

/**
 * sp_session_get_lane_n_overlaps:
 * @self: a loaded #SpSession
 * @lane: a lane index
 *
 * Gets the number of intervals of a lane that start inside another one
 * but end after it, so that they cannot be nested. Files of the Python
 * package written without thread ids have such overlaps when several
 * threads ran the same regions.
 *
 * Returns: the number of overlapping intervals
 *
 * Since: 0.1
 */
guint64
sp_session_get_lane_n_overlaps (SpSession *self,
                                guint      lane)
{
  Lane *l;

  GET_LANE (0);

  return l->n_overlaps;
}

/**
 * sp_session_get_n_overlaps:
 * @self: a loaded #SpSession
 *
 * Gets the number of intervals, over all lanes, that overlap another one
 * without nesting; see sp_session_get_lane_n_overlaps().
 *
 * Returns: the number of overlapping intervals
 *
 * Since: 0.1
 */
guint64
sp_session_get_n_overlaps (SpSession *self)
{
  RETURN_IF_NOT_LOADED (0);

  return self->model->n_overlaps;
}

/* The filter's window: what starts before @end_time and ends after
 * @begin_time (an instant at @begin_time counts). */
static inline gboolean
interval_in_window (gint64 s,
                    gint64 e,
                    gint64 begin_time,
                    gint64 end_time)
{
  if (s >= end_time)
    return FALSE;
  if (e < begin_time || (e == begin_time && s != e))
    return FALSE;
  return TRUE;
}

static gboolean
match_any (GPtrArray  *specs,
           const char *name)
{
  gsize len = strlen (name);

  for (guint i = 0; i < specs->len; i++)
    {
      if (g_pattern_spec_match (g_ptr_array_index (specs, i), len, name, NULL))
        return TRUE;
    }

  return FALSE;
}

static GPtrArray *
compile_patterns (const char * const *patterns)
{
  GPtrArray *specs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);

  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    g_ptr_array_add (specs, g_pattern_spec_new (patterns[i]));

  return specs;
}

/**
 * sp_session_filter:
 * @self: a loaded #SpSession
 * @include: (nullable) (array zero-terminated=1): glob patterns of region
 *   names to keep, or %NULL to keep all
 * @exclude: (nullable) (array zero-terminated=1): glob patterns of region
 *   names to drop, or %NULL
 * @ranks: (nullable) (array length=n_ranks): the ranks to keep
 * @n_ranks: the number of @ranks; 0 keeps all ranks
 * @begin_time: keep intervals that end after this time, in nanoseconds;
 *   %G_MININT64 for no limit
 * @end_time: keep intervals that start before this time, in nanoseconds;
 *   %G_MAXINT64 for no limit
 *
 * Makes a new session with a subset of @self, like `pproc -i/-e`.
 *
 * A region is kept when its name matches one of @include (or @include is
 * empty) and none of @exclude; patterns are #GPatternSpec globs, where `*`
 * also matches `/`. Intervals are kept when their rank is kept and they
 * overlap [@begin_time, @end_time); they are not clipped. Nesting,
 * overlaps and statistics are computed anew on what is kept, so an
 * interval whose parent region was filtered out becomes top-level.
 *
 * Returns: (transfer full): a new loaded #SpSession
 *
 * Since: 0.1
 */
SpSession *
sp_session_filter (SpSession          *self,
                   const char * const *include,
                   const char * const *exclude,
                   const guint        *ranks,
                   guint               n_ranks,
                   gint64              begin_time,
                   gint64              end_time)
{
  g_autoptr(SpSessionRaw) raw = NULL;
  g_autoptr(GPtrArray) include_specs = NULL;
  g_autoptr(GPtrArray) exclude_specs = NULL;
  g_autofree guint *region_map = NULL;
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  SpSession *filtered;
  Model *model;

  RETURN_IF_NOT_LOADED (NULL);
  g_return_val_if_fail (n_ranks == 0 || ranks != NULL, NULL);

  model = self->model;
  raw = _sp_session_raw_new ();
  raw->schema = model->schema;

  g_hash_table_iter_init (&iter, model->metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (raw->metadata, g_strdup (key), g_variant_ref (value));

  include_specs = compile_patterns (include);
  exclude_specs = compile_patterns (exclude);
  region_map = g_new (guint, MAX (model->regions->len, 1));

  for (guint i = 0; i < model->regions->len; i++)
    {
      Region *r = g_ptr_array_index (model->regions, i);
      SpSessionRegionInfo *info;
      guint idx;

      region_map[i] = G_MAXUINT;

      if (include_specs->len > 0 && !match_any (include_specs, r->info.name))
        continue;
      if (match_any (exclude_specs, r->info.name))
        continue;

      idx = _sp_session_raw_intern_region (raw, r->info.name);
      info = g_ptr_array_index (raw->regions, idx);
      info->tags = g_strdupv (r->info.tags);
      info->source_file = g_strdup (r->info.source_file);
      info->source_text = g_strdup (r->info.source_text);
      info->source_line = r->info.source_line;
      region_map[i] = idx;
    }

  g_hash_table_iter_init (&iter, model->threads);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      SpSessionThreadInfo *info = key;
      gboolean kept = n_ranks == 0;

      for (guint i = 0; i < n_ranks && !kept; i++)
        kept = ranks[i] == info->rank;

      if (kept)
        {
          SpSessionThreadInfo *copy = _sp_session_raw_get_thread (raw, info->rank, info->thread);

          copy->native_id = info->native_id;
          copy->name = g_strdup (info->name);
        }
    }

  for (guint i = 0; i < model->series->len; i++)
    {
      Series *series = g_ptr_array_index (model->series, i);
      SpSessionRawSeries *copy = NULL;
      gboolean kept = n_ranks == 0;
      gsize n_kept = 0;
      gsize at = 0;

      for (guint j = 0; j < n_ranks && !kept; j++)
        kept = ranks[j] == series->rank;

      if (!kept || region_map[series->region] == G_MAXUINT)
        continue;

      /* Counted first, so the copy is allocated once, at its size. */
      for (gsize j = 0; j < series->n; j++)
        n_kept += interval_in_window (series->starts[j], series->ends[j], begin_time, end_time);

      if (n_kept == 0)
        continue;

      copy = _sp_session_raw_get_series (raw, region_map[series->region], series->rank, series->thread);
      if (!_sp_session_raw_series_grow (copy, n_kept, &at))
        g_error ("%s: out of memory for %" G_GSIZE_FORMAT " intervals", G_STRFUNC, n_kept);

      for (gsize j = 0; j < series->n; j++)
        {
          if (interval_in_window (series->starts[j], series->ends[j], begin_time, end_time))
            {
              copy->starts[at] = series->starts[j];
              copy->ends[at] = series->ends[j];
              at++;
            }
        }
    }

  filtered = sp_session_new ();
  filtered->path = g_strdup (self->path);
  /* Regions and ranks without data stay what they were, where kept */
  for (guint i = 0; i < model->regions->len; i++)
    {
      GArray *region_ranks = ((Region *) g_ptr_array_index (model->regions, i))->file_ranks;

      if (region_map[i] == G_MAXUINT)
        continue;

      for (guint j = 0; j < region_ranks->len; j++)
        {
          guint rank = g_array_index (region_ranks, guint, j);
          gboolean kept = n_ranks == 0;

          for (guint k = 0; k < n_ranks && !kept; k++)
            kept = ranks[k] == rank;
          if (kept)
            _sp_session_raw_add_region_rank (raw, region_map[i], rank);
        }
    }

  /* Ranks without data stay what they were, where they are kept */
  for (guint i = 0; i < model->n_file_ranks; i++)
    {
      gboolean kept = n_ranks == 0;

      for (guint j = 0; j < n_ranks && !kept; j++)
        kept = ranks[j] == model->file_ranks[i];
      if (kept)
        _sp_session_raw_add_file_rank (raw, model->file_ranks[i]);
    }

  sp_session_install (filtered, model_build (raw, NULL, NULL));

  return filtered;
}
