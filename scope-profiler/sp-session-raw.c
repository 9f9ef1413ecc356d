/* sp-session-raw.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The raw container: what the reader found in a file, flat and unsorted
 * (see sp-session-raw-private.h). It stands apart from the model so that
 * the reader can fill it knowing nothing of sorting, nesting, statistics
 * or SpSession, and so that the data flows one way: reader -> raw ->
 * model -> SpSession. */

#include "config.h"

#include <sys/mman.h>

#include "sp-session-raw-private.h"

void
sp_session_region_info_clear (SpSessionRegionInfo *info)
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

  sp_session_region_info_clear (info);
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

static guint
raw_series_hash (gconstpointer key)
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

SpSessionRaw *
sp_session_raw_new (void)
{
  SpSessionRaw *raw = g_new0 (SpSessionRaw, 1);

  raw->schema = 1;
  raw->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_variant_unref);
  raw->regions = g_ptr_array_new_with_free_func (region_info_free);
  raw->region_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  raw->threads = g_hash_table_new_full (thread_info_hash, thread_info_equal, thread_info_free, NULL);
  raw->series = g_hash_table_new_full (raw_series_hash, raw_series_equal, raw_series_free, NULL);
  raw->file_ranks = g_hash_table_new (NULL, NULL);
  raw->region_ranks = g_array_new (FALSE, FALSE, sizeof (SpSessionRegionRank));

  return raw;
}

void
sp_session_raw_free (SpSessionRaw *raw)
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
sp_session_raw_intern_region (SpSessionRaw *raw,
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
sp_session_raw_get_series (SpSessionRaw *raw,
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
sp_session_advise_huge (void  *data,
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

/* Makes room for @n more intervals at the end of @series; @at is where
 * they go. Exact sizes: a large realloc moves no pages (mremap), and memory
 * never touched is never paid for. FALSE when memory runs out (@series
 * keeps its intervals). */
gboolean
sp_session_raw_series_grow (SpSessionRawSeries *series,
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

  sp_session_advise_huge (series->starts, series->n * sizeof (gint64));
  sp_session_advise_huge (series->ends, series->n * sizeof (gint64));

  return TRUE;
}

SpSessionThreadInfo *
sp_session_raw_get_thread (SpSessionRaw *raw,
                            guint         rank,
                            gint64        thread)
{
  SpSessionThreadInfo key = { rank, thread, -1, NULL, -1, -1, -1 };
  SpSessionThreadInfo *info;

  if ((info = g_hash_table_lookup (raw->threads, &key)))
    return info;

  info = g_new0 (SpSessionThreadInfo, 1);
  info->rank = rank;
  info->thread = thread;
  info->native_id = -1;
  info->start_time = -1;
  info->end_time = -1;
  info->cpu_time = -1;
  g_hash_table_add (raw->threads, info);

  return info;
}

/* A rank the file has a place for (a schema-1 rank group), whether or not
 * anything was recorded on it. */
void
sp_session_raw_add_file_rank (SpSessionRaw *raw,
                               guint         rank)
{
  if (rank < G_MAXUINT)
    g_hash_table_add (raw->file_ranks, GUINT_TO_POINTER (rank + 1));
}

/* A region the file has on a rank (a schema-1 region group, a columnar
 * index row), whether or not it holds intervals. */
void
sp_session_raw_add_region_rank (SpSessionRaw *raw,
                                 guint         region,
                                 guint         rank)
{
  SpSessionRegionRank pair = { region, rank };

  g_array_append_val (raw->region_ranks, pair);
}
