/* sp-merge.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <hdf5.h>

#include "sp-error.h"
#include "sp-export-private.h"
#include "sp-h5-util-private.h"
#include "sp-h5-writer-private.h"
#include "sp-merge.h"
#include "sp-metadata-private.h"
#include "sp-ranks-private.h"

/* The one way sessions are combined into a session file: loaded sessions
 * are re-written rank by rank through the writer, from any input schema,
 * with their regions (empty ones too, and their source and tags), thread
 * tables, intervals and metadata. `scope-profiler merge` goes through
 * sp_session_write_merged(); a multi-process run without MPI through
 * sp_merge_rank_parts(), which first waits for the ranks' parts. */

typedef struct
{
  GPtrArray  *metadata;   /* SpMetadataEntry */
  GPtrArray  *ranks;      /* SpWriterRank */
  GHashTable *owner;      /* output rank -> index of its session + 1 */
  guint       next_rank;
} Merge;

static void
merge_clear (Merge *m)
{
  g_clear_pointer (&m->metadata, g_ptr_array_unref);
  g_clear_pointer (&m->ranks, g_ptr_array_unref);
  g_clear_pointer (&m->owner, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Merge, merge_clear)

static void
merge_init (Merge *m)
{
  m->metadata = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_metadata_entry_free);
  m->ranks = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_writer_rank_free);
  m->owner = g_hash_table_new (NULL, NULL);
  m->next_rank = 0;
}

static const SpMetadataEntry *
metadata_find (GPtrArray  *metadata,
               const char *key,
               guint      *index)
{
  for (guint i = 0; i < metadata->len; i++)
    {
      const SpMetadataEntry *entry = g_ptr_array_index (metadata, i);

      if (g_str_equal (entry->key, key))
        {
          if (index != NULL)
            *index = i;
          return entry;
        }
    }

  return NULL;
}

static void
metadata_remove (GPtrArray  *metadata,
                 const char *key)
{
  guint index;

  if (metadata_find (metadata, key, &index))
    g_ptr_array_remove_index (metadata, index);
}

/* Metadata of the first session win; keys only later sessions have are
 * added. Session files hold strings and integers: doubles become strings. */
static void
merge_metadata (GPtrArray *metadata,
                SpSession *session)
{
  g_auto(GStrv) keys = sp_session_list_metadata_keys (session);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = NULL;

      if (metadata_find (metadata, keys[i], NULL))
        continue;
      if (!(value = sp_session_get_metadata (session, keys[i])))
        continue;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        sp_metadata_set_string (metadata, keys[i], g_variant_get_string (value, NULL));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        sp_metadata_set_int (metadata, keys[i], g_variant_get_int64 (value));
      else if (g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE))
        {
          char buf[G_ASCII_DTOSTR_BUF_SIZE];
          sp_metadata_set_string (metadata, keys[i],
                                  g_ascii_dtostr (buf, sizeof buf, g_variant_get_double (value)));
        }
    }
}

/* The writer takes blocks of at most G_MAXUINT32 intervals. */
static void
add_intervals (SpWriterRegion *region,
               gint64          thread,
               const gint64   *starts,
               const gint64   *ends,
               gsize           n)
{
  while (n > 0)
    {
      guint32 block = (guint32) MIN (n, (gsize) G_MAXUINT32);

      sp_writer_region_add_block (region, thread, starts, ends, block);
      region->num_calls += block;
      starts += block;
      ends += block;
      n -= block;
    }
}

static gboolean
has_rank (const guint *ranks,
          guint        n_ranks,
          guint        rank)
{
  for (guint i = 0; i < n_ranks; i++)
    if (ranks[i] == rank)
      return TRUE;

  return FALSE;
}

static void
describe_region (SpWriterRegion *out,
                 SpSession      *session,
                 guint           region)
{
  const char * const *tags = sp_session_get_region_tags (session, region);

  out->source_file = g_strdup (sp_session_get_region_source_file (session, region));
  out->source_line = sp_session_get_region_source_line (session, region);
  out->source_text = g_strdup (sp_session_get_region_source_text (session, region));

  if (tags != NULL)
    {
      GString *json = g_string_new ("[");

      for (guint i = 0; tags[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append (json, ", ");
          sp_export_append_json_string (json, tags[i]);
        }
      g_string_append_c (json, ']');
      out->tags = g_string_free (json, FALSE);
    }
}

static const char *
session_name (SpSession *session)
{
  const char *path = sp_session_get_path (session);

  return path != NULL ? path : "(unnamed session)";
}

/* Adds every rank of @session (the @index-th) to @m. The intervals stay
 * in @session, which must live until @m is written. */
static gboolean
merge_add_session (Merge      *m,
                   SpSession  *session,
                   guint       index,
                   gboolean    renumber,
                   GPtrArray  *sessions,
                   GError    **error)
{
  guint n_regions = sp_session_get_n_regions (session);
  const guint *ranks;
  guint n_ranks = 0;

  merge_metadata (m->metadata, session);

  ranks = sp_session_get_file_ranks (session, &n_ranks);

  for (guint r = 0; r < n_ranks; r++)
    {
      guint rank = ranks[r];
      guint out_rank = renumber ? m->next_rank++ : rank;
      g_autoptr(GHashTable) region_index = g_hash_table_new (g_str_hash, g_str_equal);
      SpWriterRank *writer_rank;
      const gint64 *threads;
      guint n_threads = 0;
      gint64 start, end, cpu;
      gpointer owner;

      if (g_hash_table_lookup_extended (m->owner, GUINT_TO_POINTER (out_rank), NULL, &owner))
        {
          g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                       "Rank %u is in both %s and %s",
                       out_rank,
                       session_name (g_ptr_array_index (sessions, GPOINTER_TO_UINT (owner))),
                       session_name (session));
          return FALSE;
        }
      g_hash_table_insert (m->owner, GUINT_TO_POINTER (out_rank), GUINT_TO_POINTER (index));

      writer_rank = sp_writer_rank_new (out_rank);
      g_ptr_array_add (m->ranks, writer_rank);

      threads = sp_session_get_threads (session, rank, &n_threads);
      for (guint t = 0; t < n_threads; t++)
        {
          if (threads[t] == SP_SESSION_THREAD_UNKNOWN)
            continue;
          sp_writer_rank_add_thread (writer_rank, threads[t],
                                     sp_session_get_thread_native_id (session, rank, threads[t]),
                                     sp_session_get_thread_name (session, rank, threads[t]));
          if (sp_session_get_thread_times (session, rank, threads[t], &start, &end, &cpu))
            sp_writer_rank_set_thread_times (writer_rank, threads[t], start, end, cpu);
        }

      for (guint i = 0; i < n_regions; i++)
        {
          const char *name = sp_session_get_region_name (session, i);
          const guint *region_ranks;
          guint n_region_ranks = 0;
          SpWriterRegion *region;

          /* A region the rank's file holds without calls stays, empty. */
          region_ranks = sp_session_get_region_file_ranks (session, i, &n_region_ranks);
          if (!has_rank (region_ranks, n_region_ranks, rank))
            continue;

          /* Region indexes are dense within each output rank: the
           * writer's region list must have no gaps. */
          region = sp_writer_rank_get_region (writer_rank, g_hash_table_size (region_index), name);
          g_hash_table_add (region_index, (gpointer) name);
          describe_region (region, session, i);

          for (guint t = 0; t < n_threads; t++)
            {
              const gint64 *starts;
              const gint64 *ends;
              gsize n = 0;

              if (sp_session_peek_intervals (session, i, rank, threads[t], &starts, &ends, &n) && n > 0)
                add_intervals (region, threads[t], starts, ends, n);
            }
        }
    }

  return TRUE;
}

static gboolean
merge_write (Merge       *m,
             const char  *path,
             GError     **error)
{
  return sp_h5_write_session (path, m->metadata,
                              (SpWriterRank **) m->ranks->pdata, m->ranks->len,
                              error);
}

static gboolean
check_sessions (SpSession **sessions,
                guint       n_sessions,
                GError    **error)
{
  for (guint i = 0; i < n_sessions; i++)
    {
      g_return_val_if_fail (SP_IS_SESSION (sessions[i]), FALSE);

      if (!sp_session_get_loaded (sessions[i]))
        {
          g_set_error (error, SP_ERROR, SP_ERROR_INVALID_ARGUMENT,
                       "The session has not been loaded");
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * sp_session_write_to_file:
 * @self: a loaded #SpSession
 * @path: (type filename): the session file to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Writes @self as a session file in the layout scope-profiler writes
 * (Python schema 1 with thread ids), whatever the schema it was read
 * from: its metadata, and every rank with its threads, regions (with
 * their source and tags) and intervals. A filter set on @self does not
 * apply: the whole session is written.
 *
 * @path is written beside and renamed over when complete, so it never
 * holds half a session; on failure it is left untouched.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
sp_session_write_to_file (SpSession     *self,
                          const char    *path,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_auto(Merge) m = { 0 };
  g_autoptr(GPtrArray) sessions = g_ptr_array_new ();

  g_return_val_if_fail (SP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_sessions (&self, 1, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  merge_init (&m);
  g_ptr_array_add (sessions, self);

  return merge_add_session (&m, self, 0, FALSE, sessions, error) &&
         merge_write (&m, path, error);
}

/**
 * sp_session_write_merged:
 * @sessions: (array length=n_sessions): loaded sessions
 * @n_sessions: the number of @sessions
 * @flags: how to number the ranks
 * @path: (type filename): the session file to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Combines @sessions into one session file: every rank of every session
 * becomes a rank (a `/rankN` group) of @path, with its threads, regions
 * and intervals, numbered as @flags says. Two sessions holding the same
 * rank are an error unless %SP_MERGE_FLAGS_RENUMBER is given.
 *
 * Metadata come from the first session; keys that only later sessions
 * have are added, and `merged_from` lists the sessions' paths, one a
 * line. When the merged ranks complete a run that was finalized without
 * some of them (`missing_ranks`, with `mpi_size` ranks), the note is
 * dropped.
 *
 * @path is written as [method@Session.write_to_file] writes it.
 *
 * Returns: %TRUE on success
 *
 * Since: 0.2
 */
gboolean
sp_session_write_merged (SpSession    **sessions,
                         guint          n_sessions,
                         SpMergeFlags   flags,
                         const char    *path,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_auto(Merge) m = { 0 };
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  g_autoptr(GString) sources = g_string_new (NULL);
  const SpMetadataEntry *size;

  g_return_val_if_fail (sessions != NULL || n_sessions == 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_sessions (sessions, n_sessions, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  merge_init (&m);

  for (guint i = 0; i < n_sessions; i++)
    g_ptr_array_add (all, sessions[i]);

  for (guint i = 0; i < n_sessions; i++)
    {
      if (!merge_add_session (&m, sessions[i], i, (flags & SP_MERGE_FLAGS_RENUMBER) != 0, all, error))
        return FALSE;

      if (sources->len > 0)
        g_string_append_c (sources, '\n');
      g_string_append (sources, session_name (sessions[i]));
    }

  sp_metadata_set_string (m.metadata, "merged_from", sources->str);

  /* A run finalized without some ranks said so; once their parts are
   * merged in, the note is stale. The run's size stays what it was. */
  size = metadata_find (m.metadata, "mpi_size", NULL);
  if (size != NULL && size->string == NULL && size->integer > 0)
    {
      gboolean complete = TRUE;

      for (gint64 r = 0; r < size->integer && complete; r++)
        complete = g_hash_table_contains (m.owner, GUINT_TO_POINTER ((guint) r));

      if (complete)
        metadata_remove (m.metadata, "missing_ranks");
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return merge_write (&m, path, error);
}

/* A multi-process run without MPI: every rank writes <file>.rank<N>.h5
 * atomically, rank 0 waits for them (bounded) and merges them into one
 * session. A rank that never arrives is named in the session's metadata
 * (missing_ranks) and in a warning; its part can still be merged later
 * with `scope-profiler merge`. */

static hid_t
open_part (const char *path)
{
  hid_t fapl = H5Pcreate (H5P_FILE_ACCESS);
  hid_t file;

  H5Pset_file_locking (fapl, FALSE, TRUE);
  file = H5Fopen (path, H5F_ACC_RDONLY, fapl);
  H5Pclose (fapl);

  return file;
}

/* A part left over from another job (same output path, run earlier) must
 * not be mixed in: when the launcher names its job, the part's must match. */
static gboolean
part_belongs (const char    *path,
              const SpRanks *ranks)
{
  g_autofree char *job = NULL;
  gboolean ok = TRUE;
  hid_t file, meta;

  if (ranks->job_id == NULL)
    return TRUE;

  file = open_part (path);
  if (file < 0)
    return FALSE;

  meta = H5Gopen2 (file, "metadata", H5P_DEFAULT);
  if (meta >= 0)
    {
      job = sp_h5_read_attr_string (meta, "job_id");
      ok = g_strcmp0 (job, ranks->job_id) == 0;
      H5Gclose (meta);
    }
  H5Fclose (file);

  return ok;
}

static guint
wait_for_parts (const char    *output,
                const SpRanks *ranks,
                guint          timeout_seconds,
                gboolean      *present)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  gulong delay = 10000;
  guint found = 0;

  for (;;)
    {
      for (int k = 0; k < ranks->size; k++)
        {
          g_autofree char *part = NULL;

          if (present[k])
            continue;

          part = sp_rank_part_path (output, k);
          if (g_file_test (part, G_FILE_TEST_IS_REGULAR) && part_belongs (part, ranks))
            {
              present[k] = TRUE;
              found++;
            }
        }

      if (found == (guint) ranks->size || g_get_monotonic_time () >= deadline)
        return found;

      g_usleep (delay);
      delay = MIN (delay * 2, 250000);
    }
}

gboolean
sp_merge_rank_parts (const char     *output,
                     const SpRanks  *ranks,
                     guint           timeout_seconds,
                     GError        **error)
{
  g_autofree gboolean *present = g_new0 (gboolean, ranks->size);
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_auto(Merge) m = { 0 };
  const SpMetadataEntry *omp;
  gint64 omp_threads = 1;
  guint found;

  found = wait_for_parts (output, ranks, timeout_seconds, present);

  for (int k = 0; k < ranks->size; k++)
    if (!present[k])
      g_string_append_printf (missing, "%s%d", missing->len ? "," : "", k);

  if (found == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "No rank wrote its part of “%s” within %u s", output, timeout_seconds);
      return FALSE;
    }

  merge_init (&m);

  /* The lowest rank present speaks for the run: its metadata come first. */
  for (int k = 0; k < ranks->size; k++)
    {
      g_autofree char *part = NULL;
      g_autoptr(GError) local_error = NULL;
      SpSession *session;

      if (!present[k])
        continue;

      part = sp_rank_part_path (output, k);
      session = sp_session_new_from_file (part, NULL, &local_error);
      if (session == NULL)
        {
          g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE,
                       "Could not read the part “%s”: %s", part, local_error->message);
          return FALSE;
        }
      g_ptr_array_add (parts, session);

      if (!merge_add_session (&m, session, parts->len - 1, FALSE, parts, error))
        return FALSE;
    }

  if ((omp = metadata_find (m.metadata, "omp_num_threads", NULL)) && omp->string == NULL)
    omp_threads = omp->integer;

  metadata_remove (m.metadata, "rank");
  metadata_remove (m.metadata, "missing_ranks");
  sp_metadata_set_int (m.metadata, "mpi_size", ranks->size);
  sp_metadata_set_int (m.metadata, "total_cores", omp_threads * ranks->size);
  if (missing->len > 0)
    sp_metadata_set_string (m.metadata, "missing_ranks", missing->str);

  if (!merge_write (&m, output, error))
    return FALSE;

  for (int k = 0; k < ranks->size; k++)
    if (present[k])
      {
        g_autofree char *part = sp_rank_part_path (output, k);
        g_unlink (part);
      }

  if (missing->len > 0)
    g_warning ("Session “%s” is missing rank(s) %s of %d: they did not finish within %u s. "
               "Merge their parts later with “scope-profiler merge”.",
               output, missing->str, ranks->size, timeout_seconds);

  return TRUE;
}
