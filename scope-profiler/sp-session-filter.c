/* sp-session-filter.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* sp_session_filter(): a new session made of a subset of a loaded one.
 * It copies what it keeps of the model into a new raw container and builds
 * a model from that, as a load does, so nesting and statistics come from
 * the one place that computes them. Apart from sp-session.c because it is
 * a producer of raw containers, like the reader, not a getter. */

#include "config.h"

#include <string.h>

#include "sp-session-private.h"

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
  SpSessionModel *model;

  g_return_val_if_fail (SP_IS_SESSION (self), NULL);
  model = sp_session_get_model (self);
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (n_ranks == 0 || ranks != NULL, NULL);

  raw = sp_session_raw_new ();
  raw->schema = model->schema;

  g_hash_table_iter_init (&iter, model->metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (raw->metadata, g_strdup (key), g_variant_ref (value));

  include_specs = compile_patterns (include);
  exclude_specs = compile_patterns (exclude);
  region_map = g_new (guint, MAX (model->regions->len, 1));

  for (guint i = 0; i < model->regions->len; i++)
    {
      SpSessionRegion *r = g_ptr_array_index (model->regions, i);
      SpSessionRegionInfo *info;
      guint idx;

      region_map[i] = G_MAXUINT;

      if (include_specs->len > 0 && !match_any (include_specs, r->info.name))
        continue;
      if (match_any (exclude_specs, r->info.name))
        continue;

      idx = sp_session_raw_intern_region (raw, r->info.name);
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
          SpSessionThreadInfo *copy = sp_session_raw_get_thread (raw, info->rank, info->thread);

          copy->native_id = info->native_id;
          copy->name = g_strdup (info->name);
          copy->start_time = info->start_time;
          copy->end_time = info->end_time;
          copy->cpu_time = info->cpu_time;
        }
    }

  for (guint i = 0; i < model->series->len; i++)
    {
      SpSessionSeries *series = g_ptr_array_index (model->series, i);
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

      copy = sp_session_raw_get_series (raw, region_map[series->region], series->rank, series->thread);
      if (!sp_session_raw_series_grow (copy, n_kept, &at))
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

  /* Regions and ranks without data stay what they were, where kept */
  for (guint i = 0; i < model->regions->len; i++)
    {
      GArray *region_ranks = ((SpSessionRegion *) g_ptr_array_index (model->regions, i))->file_ranks;

      if (region_map[i] == G_MAXUINT)
        continue;

      for (guint j = 0; j < region_ranks->len; j++)
        {
          guint rank = g_array_index (region_ranks, guint, j);
          gboolean kept = n_ranks == 0;

          for (guint k = 0; k < n_ranks && !kept; k++)
            kept = ranks[k] == rank;
          if (kept)
            sp_session_raw_add_region_rank (raw, region_map[i], rank);
        }
    }

  /* Ranks without data stay what they were, where they are kept */
  for (guint i = 0; i < model->n_file_ranks; i++)
    {
      gboolean kept = n_ranks == 0;

      for (guint j = 0; j < n_ranks && !kept; j++)
        kept = ranks[j] == model->file_ranks[i];
      if (kept)
        sp_session_raw_add_file_rank (raw, model->file_ranks[i]);
    }

  return sp_session_new_for_model (sp_session_get_path (self),
                                    sp_session_model_build (raw, NULL, NULL));
}
