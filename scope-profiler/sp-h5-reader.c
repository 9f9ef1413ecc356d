/* sp-h5-reader.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Reads session files, ours and those of the Python scope-profiler package
 * (schemas 1, 2 and 3), into an SpSessionRaw. This file opens the file,
 * reads the metadata and the schema version and hands over to the schema
 * reader (sp-h5-schema1.c, sp-h5-columnar.c); it also holds what both
 * schemas share: the thread tables and the reading of events into the raw
 * series. Every read goes through the checked access of sp-h5-input.c, so
 * nothing in a file is trusted: every dataset's type, rank and extent is
 * checked before it is read, every length a file states is checked against
 * the real extent of the datasets it refers to, and no buffer is ever
 * sized from a number that was not checked first. HDF5's automatic error
 * printing is switched off only while this reader runs, on this thread.
 *
 * The reader fills the raw container (sp-session-raw-private.h) and knows
 * nothing of the model or of SpSession, which call it. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sp-error.h"
#include "sp-error-private.h"
#include "sp-h5-reader-private.h"
#include "sp-h5-schema-private.h"
#include "sp-json-strv-private.h"

static gboolean
read_metadata (SpH5Reader  *r,
               GError     **error)
{
  sp_h5_auto hid_t group = H5I_INVALID_HID;
  g_autoptr(GPtrArray) names = NULL;

  /* Files from a rank that never got to write metadata are still useful. */
  if (!sp_h5_has_child (r->in.file, "metadata", H5O_TYPE_GROUP))
    return TRUE;

  if ((group = H5Gopen2 (r->in.file, "metadata", H5P_DEFAULT)) < 0)
    return sp_h5_input_fail (&r->in, error, "/metadata", "the group cannot be opened (damaged file?)");

  /* Read after the listing, in name order, so that names that only differ
   * in invalid UTF-8 always give the same key the same value. */
  if (!sp_h5_list_attrs (&r->in, group, "/metadata", &names, error))
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *where = g_strconcat ("/metadata/", name, NULL);
      g_autoptr(GVariant) value = NULL;

      if (!sp_h5_read_attr_value (&r->in, group, name, where, &value, error))
        return FALSE;

      if (value != NULL)
        g_hash_table_replace (r->raw->metadata,
                              sp_h5_valid_utf8_dup (name, -1),
                              g_steal_pointer (&value));
    }

  return TRUE;
}

gboolean
sp_h5_reader_check_thread_ids (SpH5Reader    *r,
                               const char    *where,
                               const gint64  *ids,
                               gsize          n,
                               GError       **error)
{
  for (gsize i = 0; i < n; i++)
    {
      if (ids[i] < -1)
        return sp_h5_input_fail (&r->in, error, where, "element %" G_GSIZE_FORMAT " is an invalid thread id (%" G_GINT64_FORMAT ")",
                                 i, ids[i]);
    }

  return TRUE;
}

/* Where the events of one thread go while a run of events is spread over
 * its series. */
typedef struct
{
  gint64              thread;
  gsize               count;
  SpSessionRawSeries *series;
  gsize               at;
} ThreadSlot;

/* The threads of @threads (NULL: all -1) and how many events each has, in
 * order of first appearance; @slot_of maps a thread to its slot + 1. */
static GArray *
plan_threads (const gint64 *threads,
              gsize         n,
              GHashTable  **slot_of)
{
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (ThreadSlot));
  ThreadSlot *cur = NULL;

  *slot_of = NULL;

  for (gsize i = 0; i < n; i++)
    {
      gint64 thread = threads != NULL ? threads[i] : -1;

      /* Runs of one thread are the rule: look up only on a change. */
      if (cur == NULL || cur->thread != thread)
        {
          gpointer found;

          if (*slot_of == NULL)
            *slot_of = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

          if ((found = g_hash_table_lookup (*slot_of, &thread)))
            cur = &g_array_index (slots, ThreadSlot, GPOINTER_TO_SIZE (found) - 1);
          else
            {
              ThreadSlot slot = { thread, 0, NULL, 0 };

              g_array_append_val (slots, slot);
              g_hash_table_insert (*slot_of, g_memdup2 (&thread, sizeof thread),
                                   GSIZE_TO_POINTER (slots->len));
              cur = &g_array_index (slots, ThreadSlot, slots->len - 1);
            }

          if (threads == NULL)
            {
              cur->count = n;
              break;
            }
        }

      cur->count++;
    }

  return slots;
}

void
sp_h5_event_columns_clear (SpH5EventColumns *c)
{
  sp_h5_autoclose (&c->space_a);
  sp_h5_autoclose (&c->space_b);
  sp_h5_autoclose (&c->dset_a);
  sp_h5_autoclose (&c->dset_b);
}

/* Turns @count values of the two columns into start and end times, in
 * place, checking each interval; @first is the index of the first value
 * within the run (for messages), @off its index in the columns. */
static gboolean
decode_events (SpH5Reader              *r,
               const SpH5EventColumns  *c,
               const char              *where,
               gint64                  *a,
               gint64                  *b,
               gsize                    count,
               gsize                    first,
               gsize                    off,
               gint64                  *start,
               GError                 **error)
{
  if (c->columns == SP_H5_COLUMNS_DELTA_DURATION)
    {
      gint64 s = *start;

      for (gsize j = 0; j < count; j++)
        {
          gint64 delta = a[j];
          gint64 duration = b[j];

          if (first + j == 0)
            s = delta;
          else if (__builtin_add_overflow (s, delta, &s))
            return sp_h5_input_fail (&r->in, error, c->where_a,
                                     "element %" G_GSIZE_FORMAT " overflows the start time", off + j);

          if (duration < 0)
            return sp_h5_input_fail (&r->in, error, c->where_b,
                                     "element %" G_GSIZE_FORMAT " is a negative duration (%" G_GINT64_FORMAT ")",
                                     off + j, duration);

          a[j] = s;
          if (__builtin_add_overflow (s, duration, &b[j]))
            return sp_h5_input_fail (&r->in, error, c->where_b,
                                     "element %" G_GSIZE_FORMAT " overflows the end time", off + j);
        }

      *start = s;
      return TRUE;
    }

  for (gsize j = 0; j < count; j++)
    {
      gint64 duration;

      if (b[j] < a[j])
        return sp_h5_input_fail (&r->in, error, where,
                                 "interval %" G_GSIZE_FORMAT " ends before it starts (%" G_GINT64_FORMAT " < %" G_GINT64_FORMAT ")",
                                 first + j, b[j], a[j]);

      /* Durations must be representable too. */
      if (__builtin_sub_overflow (b[j], a[j], &duration))
        return sp_h5_input_fail (&r->in, error, where,
                                 "interval %" G_GSIZE_FORMAT " is too long (%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT ")",
                                 first + j, a[j], b[j]);
    }

  return TRUE;
}

/* Reads the events [@off, @off + @n) of the event columns into the raw
 * series of (@region, @rank, thread), @threads holding their threads (or
 * NULL). The series are sized first, so the events are read straight into
 * them when they belong to one thread, and through one reused block
 * otherwise: the only memory touched is the memory the session keeps. */
gboolean
sp_h5_reader_read_events (SpH5Reader              *r,
                          const SpH5EventColumns  *c,
                          const char              *where,
                          guint                    region,
                          guint                    rank,
                          gsize                    off,
                          gsize                    n,
                          const gint64            *threads,
                          GError                 **error)
{
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GHashTable) slot_of = NULL;
  gint64 start = 0;

  sp_session_raw_add_region_rank (r->raw, region, rank);

  if (n == 0)
    return TRUE;

  slots = plan_threads (threads, n, &slot_of);

  for (guint i = 0; i < slots->len; i++)
    {
      ThreadSlot *slot = &g_array_index (slots, ThreadSlot, i);

      slot->series = sp_session_raw_get_series (r->raw, region, rank, slot->thread);
      if (!sp_session_raw_series_grow (slot->series, slot->count, &slot->at))
        {
          g_set_error (error, SP_ERROR, SP_ERROR_FAILED,
                       "%s: %s: not enough memory for %" G_GSIZE_FORMAT " intervals",
                       r->in.path, where, slot->count);
          return FALSE;
        }
    }

  if (slots->len > 1 && r->block[0] == NULL)
    {
      r->block[0] = g_new (gint64, SP_H5_READ_BLOCK);
      r->block[1] = g_new (gint64, SP_H5_READ_BLOCK);
    }

  for (gsize done = 0; done < n;)
    {
      gsize count = MIN ((gsize) SP_H5_READ_BLOCK, n - done);
      ThreadSlot *one = slots->len == 1 ? &g_array_index (slots, ThreadSlot, 0) : NULL;
      gint64 *a = one ? one->series->starts + one->at + done : r->block[0];
      gint64 *b = one ? one->series->ends + one->at + done : r->block[1];

      if (!sp_h5_read_slab (&r->in, c->dset_a, c->space_a, c->where_a, off + done, count, a, error) ||
          !sp_h5_read_slab (&r->in, c->dset_b, c->space_b, c->where_b, off + done, count, b, error) ||
          !decode_events (r, c, where, a, b, count, done, off + done, &start, error))
        return FALSE;

      if (one == NULL)
        {
          ThreadSlot *cur = NULL;

          for (gsize j = 0; j < count; j++)
            {
              gint64 thread = threads[done + j];

              if (cur == NULL || cur->thread != thread)
                cur = &g_array_index (slots, ThreadSlot,
                                      GPOINTER_TO_SIZE (g_hash_table_lookup (slot_of, &thread)) - 1);
              cur->series->starts[cur->at] = a[j];
              cur->series->ends[cur->at] = b[j];
              cur->at++;
            }
        }

      done += count;
      sp_h5_input_report (&r->in, 2 * count);

      if (!sp_h5_input_check_cancelled (&r->in, error))
        return FALSE;
    }

  return TRUE;
}

void
sp_h5_reader_region_set_info (SpSessionRegionInfo *info,
                              GVariant            *source_file,
                              GVariant            *source_line,
                              GVariant            *source_text,
                              GVariant            *tags)
{
  if (info->source_file == NULL && source_file != NULL)
    info->source_file = g_variant_dup_string (source_file, NULL);

  if (info->source_line < 0 && source_line != NULL)
    info->source_line = MAX (-1, g_variant_get_int64 (source_line));

  if (info->source_text == NULL && source_text != NULL)
    info->source_text = g_variant_dup_string (source_text, NULL);

  if (info->tags == NULL && tags != NULL)
    {
      if (g_variant_is_of_type (tags, G_VARIANT_TYPE_STRING_ARRAY))
        {
          info->tags = g_variant_dup_strv (tags, NULL);
        }
      else
        {
          const char *text = g_variant_get_string (tags, NULL);

          /* Malformed tags are not worth refusing a session for. */
          info->tags = sp_json_parse_strv (text);
        }
    }
}

gboolean
sp_h5_reader_check_same_length (SpH5Reader  *r,
                                GError     **error,
                                const char  *where,
                                gsize        n,
                                const char  *other,
                                gsize        n_other)
{
  if (n != n_other)
    return sp_h5_input_fail (&r->in, error, where,
                             "has %" G_GSIZE_FORMAT " elements but %s has %" G_GSIZE_FORMAT,
                             n, other, n_other);
  return TRUE;
}

/* An optional int64 column @name of a thread table, as long as its index. */
static gboolean
read_optional_thread_column (SpH5Reader  *r,
                             hid_t        group,
                             const char  *group_path,
                             const char  *name,
                             gsize        n,
                             gint64     **column,
                             GError     **error)
{
  g_autofree char *where = NULL;
  gsize n_column = 0;

  if (H5Lexists (group, name, H5P_DEFAULT) <= 0)
    return TRUE;

  where = sp_h5_join_path (group_path, name);
  return sp_h5_read_int_column (&r->in, group, name, where, column, &n_column, error) &&
         sp_h5_reader_check_same_length (r, error, where, n_column, "index", n);
}

/* A thread table: columns index, optional native_id and name (and our
 * start_time, end_time, cpu_time); @ranks is
 * NULL for our per-rank tables, which belong to @rank. */
gboolean
sp_h5_reader_read_thread_table (SpH5Reader  *r,
                                hid_t        group,
                                const char  *group_path,
                                gboolean     with_ranks,
                                guint        rank,
                                GError     **error)
{
  g_autofree gint64 *ranks = NULL;
  g_autofree gint64 *index = NULL;
  g_autofree gint64 *native = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree gint64 *start = NULL;
  g_autofree gint64 *end = NULL;
  g_autofree gint64 *cpu = NULL;
  g_autofree char *where_ranks = sp_h5_join_path (group_path, "ranks");
  g_autofree char *where_index = sp_h5_join_path (group_path, "index");
  g_autofree char *where_native = sp_h5_join_path (group_path, "native_id");
  g_autofree char *where_name = sp_h5_join_path (group_path, "name");
  gsize n = 0;
  gsize n_other = 0;

  if (!sp_h5_read_int_column (&r->in, group, "index", where_index, &index, &n, error))
    return FALSE;

  if (!sp_h5_reader_check_thread_ids (r, where_index, index, n, error))
    return FALSE;

  if (with_ranks)
    {
      if (!sp_h5_read_int_column (&r->in, group, "ranks", where_ranks, &ranks, &n_other, error) ||
          !sp_h5_reader_check_same_length (r, error, where_ranks, n_other, "index", n))
        return FALSE;
    }

  if (H5Lexists (group, "native_id", H5P_DEFAULT) > 0)
    {
      if (!sp_h5_read_int_column (&r->in, group, "native_id", where_native, &native, &n_other, error) ||
          !sp_h5_reader_check_same_length (r, error, where_native, n_other, "index", n))
        return FALSE;
    }

  if (H5Lexists (group, "name", H5P_DEFAULT) > 0)
    {
      if (!sp_h5_read_string_column (&r->in, group, "name", where_name, &names, &n_other, error) ||
          !sp_h5_reader_check_same_length (r, error, where_name, n_other, "index", n))
        return FALSE;
    }

  if (!read_optional_thread_column (r, group, group_path, "start_time", n, &start, error) ||
      !read_optional_thread_column (r, group, group_path, "end_time", n, &end, error) ||
      !read_optional_thread_column (r, group, group_path, "cpu_time", n, &cpu, error))
    return FALSE;

  for (gsize i = 0; i < n; i++)
    {
      SpSessionThreadInfo *info;
      guint thread_rank = rank;

      if (index[i] < 0)
        continue;

      if (ranks != NULL)
        {
          if (ranks[i] < 0 || ranks[i] > G_MAXUINT32)
            return sp_h5_input_fail (&r->in, error, where_ranks,
                                     "element %" G_GSIZE_FORMAT " is not a valid rank (%" G_GINT64_FORMAT ")",
                                     i, ranks[i]);
          thread_rank = (guint) ranks[i];
        }

      info = sp_session_raw_get_thread (r->raw, thread_rank, index[i]);
      if (native != NULL)
        info->native_id = native[i];
      /* Any negative value is "unknown". */
      if (start != NULL)
        info->start_time = MAX (start[i], -1);
      if (end != NULL)
        info->end_time = MAX (end[i], -1);
      if (cpu != NULL)
        info->cpu_time = MAX (cpu[i], -1);
      if (names != NULL && names[i][0] != 0)
        {
          g_free (info->name);
          info->name = g_strdup (names[i]);
        }
    }

  return TRUE;
}

static gboolean
read_file (SpH5Reader  *r,
           GError     **error)
{
  g_autoptr(GVariant) schema = NULL;
  g_autoptr(GVariant) layout = NULL;

  if (!sp_h5_read_optional_attr (&r->in, r->in.file, "/", "scope_profiler_schema", G_VARIANT_TYPE_INT64, &schema, error) ||
      !sp_h5_read_optional_attr (&r->in, r->in.file, "/", "storage_layout", G_VARIANT_TYPE_STRING, &layout, error))
    return FALSE;

  r->raw->schema = schema != NULL ? (int) CLAMP (g_variant_get_int64 (schema), G_MININT, G_MAXINT) : 1;

  if (r->raw->schema < 1 || r->raw->schema > 3)
    return sp_h5_input_fail (&r->in, error, "/scope_profiler_schema",
                             "unsupported schema version %" G_GINT64_FORMAT " (this reader knows 1 to 3)",
                             g_variant_get_int64 (schema));

  if (layout != NULL && r->raw->schema >= 2 &&
      g_strcmp0 (g_variant_get_string (layout, NULL), "columnar") != 0)
    return sp_h5_input_fail (&r->in, error, "/storage_layout", "unsupported storage layout “%s”",
                             g_variant_get_string (layout, NULL));

  if (!read_metadata (r, error))
    return FALSE;

  if (!sp_h5_input_check_cancelled (&r->in, error))
    return FALSE;

  if (r->raw->schema == 1)
    return sp_h5_read_schema1 (r, error);
  else
    return sp_h5_read_columnar (r, error);
}

static herr_t
innermost_error_cb (unsigned int         n,
                    const H5E_error2_t  *err,
                    void                *data)
{
  char **detail = data;

  if (*detail == NULL && err->desc != NULL && err->desc[0] != 0)
    *detail = sp_h5_valid_utf8_dup (err->desc, -1);

  return 0;
}

/* HDF5's own, most specific, reason for the last failure. */
static char *
h5_error_detail (void)
{
  char *detail = NULL;

  H5Ewalk2 (H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error_cb, &detail);

  return detail;
}

/* Tells "not HDF5" from "HDF5 but damaged": HDF5's signature sits at
 * offset 0, 512, 1024, 2048, ... */
static gboolean
has_hdf5_signature (const char *path)
{
  static const guint8 signature[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  goffset offset = 0;

  if (!(stream = g_file_read (file, NULL, NULL)))
    return FALSE;

  for (guint i = 0; i < 20; i++)
    {
      guint8 buf[8];
      gsize n_read = 0;

      if (!g_seekable_seek (G_SEEKABLE (stream), offset, G_SEEK_SET, NULL, NULL) ||
          !g_input_stream_read_all (G_INPUT_STREAM (stream), buf, sizeof buf, &n_read, NULL, NULL) ||
          n_read < sizeof buf)
        return FALSE;

      if (memcmp (buf, signature, sizeof signature) == 0)
        return TRUE;

      offset = offset == 0 ? 512 : offset * 2;
    }

  return FALSE;
}

SpSessionRaw *
sp_h5_read_session (const char             *path,
                     GCancellable           *cancellable,
                     SpSessionProgressFunc   progress,
                     gpointer                progress_data,
                     GError                **error)
{
  g_autoptr(SpSessionRaw) raw = NULL;
  sp_h5_auto hid_t fapl = H5I_INVALID_HID;
  H5E_auto2_t saved_func = NULL;
  void *saved_data = NULL;
  SpH5Reader r = { 0 };
  gint64 *block[2] = { NULL, NULL };
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: no such file", path);
      return NULL;
    }

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, "%s: is a directory", path);
      return NULL;
    }

  if (!has_hdf5_signature (path))
    {
      if (g_access (path, R_OK) != 0)
        {
          int errsv = errno;

          g_set_error (error, G_IO_ERROR, sp_io_error_from_errno (errsv), "%s: %s", path, g_strerror (errsv));
          return NULL;
        }

      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE, "%s: not an HDF5 file", path);
      return NULL;
    }

  raw = sp_session_raw_new ();

  {
    GStatBuf st;

    r.in.file_size = g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
  }

  r.in.path = path;
  r.in.file = H5I_INVALID_HID;
  r.in.cancellable = cancellable;
  r.in.progress = progress;
  r.in.progress_data = progress_data;
  r.raw = raw;
  r.block = block;

  /* Silence HDF5's error printing for our calls only; restored below. */
  H5Eget_auto2 (H5E_DEFAULT, &saved_func, &saved_data);
  H5Eset_auto2 (H5E_DEFAULT, NULL, NULL);

  fapl = H5Pcreate (H5P_FILE_ACCESS);
  if (fapl >= 0)
    H5Pset_fclose_degree (fapl, H5F_CLOSE_STRONG);

  r.in.file = H5Fopen (path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);

  if (r.in.file < 0)
    {
      g_autofree char *detail = h5_error_detail ();

      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE,
                   "%s: the HDF5 file cannot be opened (truncated or damaged?)%s%s",
                   path, detail ? ": " : "", detail ? detail : "");
      ok = FALSE;
    }
  else
    {
      ok = read_file (&r, error);
      H5Fclose (r.in.file);
    }

  g_free (block[0]);
  g_free (block[1]);

  /* Our failures are reported as GErrors; leave no stack behind. */
  H5Eclear2 (H5E_DEFAULT);
  H5Eset_auto2 (H5E_DEFAULT, saved_func, saved_data);

  if (!ok)
    return NULL;

  return g_steal_pointer (&raw);
}
