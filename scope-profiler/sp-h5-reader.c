/* sp-h5-reader.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Reads session files, ours and those of the Python scope-profiler package
 * (schemas 1, 2 and 3), into an SpSessionRaw: the schema readers. They say
 * what each schema holds and where; every read goes through the checked
 * access of sp-h5-input.c, so nothing in a file is trusted: every
 * dataset's type, rank and extent is checked before it is read, every
 * length a file states is checked against the real extent of the datasets
 * it refers to, and no buffer is ever sized from a number that was not
 * checked first. HDF5's automatic error printing is switched off only
 * while this reader runs, on this thread.
 *
 * The reader fills the raw container (sp-session-raw-private.h) and knows
 * nothing of the model or of SpSession, which call it. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <hdf5.h>

#include "sp-error.h"
#include "sp-h5-input-private.h"
#include "sp-h5-reader-private.h"
#include "sp-json-strv-private.h"

#define MAX_GROUP_DEPTH      64

typedef struct
{
  SpH5Input               in;
  SpSessionRaw           *raw;

  /* One block of each event column, reused for every read that has to
   * spread its events over several threads (shared by copies of @r). */
  gint64                **block;
} Reader;

static gboolean
read_metadata (Reader  *r,
               GError **error)
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

static gboolean
check_thread_ids (Reader       *r,
                  const char   *where,
                  const gint64 *ids,
                  gsize         n,
                  GError      **error)
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

/* How the two event columns hold an interval. */
typedef enum
{
  COLUMNS_START_END,        /* start_times, end_times */
  COLUMNS_DELTA_DURATION,   /* start_deltas (the first absolute), durations */
} Columns;

typedef struct
{
  hid_t        dset_a;
  hid_t        dset_b;
  hid_t        space_a;
  hid_t        space_b;
  const char  *where_a;
  const char  *where_b;
  Columns      columns;
} EventColumns;

static void
event_columns_clear (EventColumns *c)
{
  sp_h5_autoclose (&c->space_a);
  sp_h5_autoclose (&c->space_b);
  sp_h5_autoclose (&c->dset_a);
  sp_h5_autoclose (&c->dset_b);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EventColumns, event_columns_clear)

/* Turns @count values of the two columns into start and end times, in
 * place, checking each interval; @first is the index of the first value
 * within the run (for messages), @off its index in the columns. */
static gboolean
decode_events (Reader             *r,
               const EventColumns *c,
               const char         *where,
               gint64             *a,
               gint64             *b,
               gsize               count,
               gsize               first,
               gsize               off,
               gint64             *start,
               GError            **error)
{
  if (c->columns == COLUMNS_DELTA_DURATION)
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
static gboolean
read_events (Reader             *r,
             const EventColumns *c,
             const char         *where,
             guint               region,
             guint               rank,
             gsize               off,
             gsize               n,
             const gint64       *threads,
             GError            **error)
{
  g_autoptr(GArray) slots = NULL;
  g_autoptr(GHashTable) slot_of = NULL;
  gint64 start = 0;

  _sp_session_raw_add_region_rank (r->raw, region, rank);

  if (n == 0)
    return TRUE;

  slots = plan_threads (threads, n, &slot_of);

  for (guint i = 0; i < slots->len; i++)
    {
      ThreadSlot *slot = &g_array_index (slots, ThreadSlot, i);

      slot->series = _sp_session_raw_get_series (r->raw, region, rank, slot->thread);
      if (!_sp_session_raw_series_grow (slot->series, slot->count, &slot->at))
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

static void
region_set_info (SpSessionRegionInfo *info,
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

typedef struct
{
  guint  rank;
  char  *group_path;   /* HDF5 path of the region group */
  char  *name;         /* name made of the link names */
} Leaf;

static void
leaf_free (gpointer data)
{
  Leaf *leaf = data;

  g_free (leaf->group_path);
  g_free (leaf->name);
  g_free (leaf);
}

/* Python files use the region name as an HDF5 path, so "a/b" became
 * nested groups: a group is a region when it holds start_times, and a path
 * prefix when it holds groups, and it may be both. */
static gboolean
collect_leaves (Reader      *r,
                hid_t        group,
                guint        rank,
                const char  *group_path,
                const char  *name_prefix,
                guint        depth,
                GHashTable  *visited,
                GPtrArray   *leaves,
                GError     **error)
{
  g_autoptr(GPtrArray) names = NULL;

  if (depth > MAX_GROUP_DEPTH)
    return sp_h5_input_fail (&r->in, error, group_path, "groups are nested too deeply");

  if (!sp_h5_list_links (&r->in, group, group_path, &names, error))
    return FALSE;

  for (guint i = 0; i < names->len; i++)
    {
      const char *link = g_ptr_array_index (names, i);
      g_autofree char *child_path = sp_h5_join_path (group_path, link);
      g_autofree char *child_name = sp_h5_join_path (name_prefix, link);
      sp_h5_auto hid_t child = H5I_INVALID_HID;
      H5O_info_t oinfo;
      guint64 key;

      if (!sp_h5_has_child (group, link, H5O_TYPE_GROUP))
        continue;

      if ((child = H5Gopen2 (group, link, H5P_DEFAULT)) < 0 ||
          H5Oget_info2 (child, &oinfo, H5O_INFO_BASIC) < 0)
        return sp_h5_input_fail (&r->in, error, child_path, "the group cannot be opened (damaged file?)");

      /* Hard links can make cycles; each group is visited once. */
      key = (guint64) oinfo.addr;
      if (g_hash_table_contains (visited, &key))
        continue;
      g_hash_table_add (visited, g_memdup2 (&key, sizeof key));

      /* Python's "x/start_times" is a group start_times inside x. */
      if (sp_h5_has_child (child, "start_times", H5O_TYPE_DATASET))
        {
          Leaf *leaf = g_new0 (Leaf, 1);

          leaf->rank = rank;
          leaf->group_path = g_strdup (child_path);
          leaf->name = g_strdup (child_name);
          g_ptr_array_add (leaves, leaf);
        }

      if (!collect_leaves (r, child, rank, child_path, child_name, depth + 1, visited, leaves, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_leaf (Reader      *r,
           const Leaf  *leaf,
           GError     **error)
{
  sp_h5_auto hid_t group = H5I_INVALID_HID;
  g_auto(EventColumns) c = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                             NULL, NULL, COLUMNS_START_END };
  g_autofree gint64 *threads = NULL;
  g_autofree char *where_starts = sp_h5_join_path (leaf->group_path, "start_times");
  g_autofree char *where_ends = sp_h5_join_path (leaf->group_path, "end_times");
  g_autofree char *where_threads = sp_h5_join_path (leaf->group_path, "thread_ids");
  g_autoptr(GVariant) name = NULL;
  g_autoptr(GVariant) source_file = NULL;
  g_autoptr(GVariant) source_line = NULL;
  g_autoptr(GVariant) source_text = NULL;
  g_autoptr(GVariant) tags = NULL;
  SpSessionRegionInfo *info;
  gsize n_starts = 0;
  gsize n_ends = 0;
  gsize n_threads = 0;
  guint region;

  c.where_a = where_starts;
  c.where_b = where_ends;

  if ((group = H5Gopen2 (r->in.file, leaf->group_path, H5P_DEFAULT)) < 0)
    return sp_h5_input_fail (&r->in, error, leaf->group_path, "the group cannot be opened (damaged file?)");

  if (!sp_h5_read_optional_attr (&r->in, group, leaf->group_path, "name", G_VARIANT_TYPE_STRING, &name, error) ||
      !sp_h5_read_optional_attr (&r->in, group, leaf->group_path, "source_file", G_VARIANT_TYPE_STRING, &source_file, error) ||
      !sp_h5_read_optional_attr (&r->in, group, leaf->group_path, "source_lineno", G_VARIANT_TYPE_INT64, &source_line, error) ||
      !sp_h5_read_optional_attr (&r->in, group, leaf->group_path, "source_text", G_VARIANT_TYPE_STRING, &source_text, error))
    return FALSE;

  if (H5Aexists (group, "tags") > 0)
    {
      g_autofree char *where = sp_h5_join_path (leaf->group_path, "tags");

      if (!sp_h5_read_attr_value (&r->in, group, "tags", where, &tags, error))
        return FALSE;
      if (tags != NULL &&
          !g_variant_is_of_type (tags, G_VARIANT_TYPE_STRING) &&
          !g_variant_is_of_type (tags, G_VARIANT_TYPE_STRING_ARRAY))
        g_clear_pointer (&tags, g_variant_unref);
    }

  if ((c.dset_a = sp_h5_open_column (&r->in, group, "start_times", where_starts, H5T_INTEGER, &n_starts, error)) < 0)
    return FALSE;

  if (!sp_h5_has_child (group, "end_times", H5O_TYPE_DATASET))
    return sp_h5_input_fail (&r->in, error, leaf->group_path, "has start_times but no end_times dataset");

  if ((c.dset_b = sp_h5_open_column (&r->in, group, "end_times", where_ends, H5T_INTEGER, &n_ends, error)) < 0)
    return FALSE;

  if (n_ends != n_starts)
    return sp_h5_input_fail (&r->in, error, where_ends,
                             "has %" G_GSIZE_FORMAT " elements but start_times has %" G_GSIZE_FORMAT,
                             n_ends, n_starts);

  if ((c.space_a = H5Dget_space (c.dset_a)) < 0 ||
      (c.space_b = H5Dget_space (c.dset_b)) < 0)
    return sp_h5_input_fail (&r->in, error, leaf->group_path, "the datasets' shapes cannot be read");

  if (H5Lexists (group, "thread_ids", H5P_DEFAULT) > 0)
    {
      if (!sp_h5_read_int_column (&r->in, group, "thread_ids", where_threads, &threads, &n_threads, error))
        return FALSE;

      if (n_threads != n_starts)
        return sp_h5_input_fail (&r->in, error, where_threads,
                                 "has %" G_GSIZE_FORMAT " elements but start_times has %" G_GSIZE_FORMAT,
                                 n_threads, n_starts);

      if (!check_thread_ids (r, where_threads, threads, n_threads, error))
        return FALSE;
    }

  if (name != NULL && g_variant_get_string (name, NULL)[0] == 0)
    return sp_h5_input_fail (&r->in, error, leaf->group_path, "the region name attribute is empty");

  region = _sp_session_raw_intern_region (r->raw,
                                          name != NULL ? g_variant_get_string (name, NULL) : leaf->name);
  info = g_ptr_array_index (r->raw->regions, region);
  region_set_info (info, source_file, source_line, source_text, tags);

  return read_events (r, &c, leaf->group_path, region, leaf->rank, 0, n_starts, threads, error);
}

static gboolean
parse_rank_name (const char *name,
                 guint      *rank)
{
  guint64 v;

  if (!g_str_has_prefix (name, "rank") || !g_ascii_isdigit (name[4]))
    return FALSE;

  for (const char *p = name + 4; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;

  if (!g_ascii_string_to_unsigned (name + 4, 10, 0, G_MAXUINT32, &v, NULL))
    return FALSE;

  *rank = (guint) v;

  return TRUE;
}

static gboolean
check_same_length (Reader     *r,
                   GError    **error,
                   const char *where,
                   gsize       n,
                   const char *other,
                   gsize       n_other)
{
  if (n != n_other)
    return sp_h5_input_fail (&r->in, error, where,
                             "has %" G_GSIZE_FORMAT " elements but %s has %" G_GSIZE_FORMAT,
                             n, other, n_other);
  return TRUE;
}

/* A thread table: columns index, optional native_id and name; @ranks is
 * NULL for our per-rank tables, which belong to @rank. */
static gboolean
read_thread_table (Reader      *r,
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
  g_autofree char *where_ranks = sp_h5_join_path (group_path, "ranks");
  g_autofree char *where_index = sp_h5_join_path (group_path, "index");
  g_autofree char *where_native = sp_h5_join_path (group_path, "native_id");
  g_autofree char *where_name = sp_h5_join_path (group_path, "name");
  gsize n = 0;
  gsize n_other = 0;

  if (!sp_h5_read_int_column (&r->in, group, "index", where_index, &index, &n, error))
    return FALSE;

  if (!check_thread_ids (r, where_index, index, n, error))
    return FALSE;

  if (with_ranks)
    {
      if (!sp_h5_read_int_column (&r->in, group, "ranks", where_ranks, &ranks, &n_other, error) ||
          !check_same_length (r, error, where_ranks, n_other, "index", n))
        return FALSE;
    }

  if (H5Lexists (group, "native_id", H5P_DEFAULT) > 0)
    {
      if (!sp_h5_read_int_column (&r->in, group, "native_id", where_native, &native, &n_other, error) ||
          !check_same_length (r, error, where_native, n_other, "index", n))
        return FALSE;
    }

  if (H5Lexists (group, "name", H5P_DEFAULT) > 0)
    {
      if (!sp_h5_read_string_column (&r->in, group, "name", where_name, &names, &n_other, error) ||
          !check_same_length (r, error, where_name, n_other, "index", n))
        return FALSE;
    }

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

      info = _sp_session_raw_get_thread (r->raw, thread_rank, index[i]);
      if (native != NULL)
        info->native_id = native[i];
      if (names != NULL && names[i][0] != 0)
        {
          g_free (info->name);
          info->name = g_strdup (names[i]);
        }
    }

  return TRUE;
}

static gboolean
read_schema1 (Reader  *r,
              GError **error)
{
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GPtrArray) leaves = NULL;
  g_autoptr(GHashTable) visited = NULL;

  if (!sp_h5_list_links (&r->in, r->in.file, "/", &links, error))
    return FALSE;

  leaves = g_ptr_array_new_with_free_func (leaf_free);
  visited = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < links->len; i++)
    {
      const char *link = g_ptr_array_index (links, i);
      g_autofree char *rank_path = g_strconcat ("/", link, NULL);
      g_autofree char *regions_path = g_strconcat ("/", link, "/regions", NULL);
      g_autofree char *threads_path = g_strconcat ("/", link, "/threads", NULL);
      sp_h5_auto hid_t rank_group = H5I_INVALID_HID;
      guint rank;

      if (!parse_rank_name (link, &rank) || !sp_h5_has_child (r->in.file, link, H5O_TYPE_GROUP))
        continue;

      if ((rank_group = H5Gopen2 (r->in.file, link, H5P_DEFAULT)) < 0)
        return sp_h5_input_fail (&r->in, error, rank_path, "the group cannot be opened (damaged file?)");

      _sp_session_raw_add_file_rank (r->raw, rank);

      if (sp_h5_has_child (rank_group, "regions", H5O_TYPE_GROUP))
        {
          sp_h5_auto hid_t regions = H5I_INVALID_HID;
          H5O_info_t oinfo;

          if ((regions = H5Gopen2 (rank_group, "regions", H5P_DEFAULT)) < 0)
            return sp_h5_input_fail (&r->in, error, regions_path, "the group cannot be opened (damaged file?)");

          if (H5Oget_info2 (regions, &oinfo, H5O_INFO_BASIC) >= 0)
            {
              guint64 key = (guint64) oinfo.addr;

              if (g_hash_table_contains (visited, &key))
                continue;
              g_hash_table_add (visited, g_memdup2 (&key, sizeof key));
            }

          if (!collect_leaves (r, regions, rank, regions_path, NULL, 0, visited, leaves, error))
            return FALSE;
        }

      if (sp_h5_has_child (rank_group, "threads", H5O_TYPE_GROUP))
        {
          sp_h5_auto hid_t threads = H5I_INVALID_HID;

          if ((threads = H5Gopen2 (rank_group, "threads", H5P_DEFAULT)) < 0)
            return sp_h5_input_fail (&r->in, error, threads_path, "the group cannot be opened (damaged file?)");

          if (!read_thread_table (r, threads, threads_path, FALSE, rank, error))
            return FALSE;
        }
    }

  /* Progress counts region groups here: their sizes are unknown until
   * they are opened. */
  r->in.work_total = MAX (leaves->len, 1);
  r->in.work_done = 0;

  for (guint i = 0; i < leaves->len; i++)
    {
      Reader sub = *r;

      /* Element-level progress would count against the group total. */
      sub.in.progress = NULL;

      if (!read_leaf (&sub, g_ptr_array_index (leaves, i), error))
        return FALSE;

      sp_h5_input_report (&r->in, 1);

      if (!sp_h5_input_check_cancelled (&r->in, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_columnar (Reader  *r,
               GError **error)
{
  sp_h5_auto hid_t region_table = H5I_INVALID_HID;
  sp_h5_auto hid_t index_group = H5I_INVALID_HID;
  sp_h5_auto hid_t events = H5I_INVALID_HID;
  g_auto(GStrv) region_names = NULL;
  g_autofree guint *region_map = NULL;
  g_autofree gint64 *region_ids = NULL;
  g_autofree gint64 *ranks = NULL;
  g_autofree gint64 *offsets = NULL;
  g_autofree gint64 *counts = NULL;
  g_autofree gint64 *source_lines = NULL;
  g_auto(GStrv) source_files = NULL;
  g_auto(GStrv) source_texts = NULL;
  g_auto(GStrv) tags = NULL;
  g_autofree gint64 *threads = NULL;
  const char *name_a = r->raw->schema >= 3 ? "start_deltas" : "start_times";
  const char *name_b = r->raw->schema >= 3 ? "durations" : "end_times";
  g_autofree char *where_a = g_strconcat ("/events/", name_a, NULL);
  g_autofree char *where_b = g_strconcat ("/events/", name_b, NULL);
  g_auto(EventColumns) c = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                             where_a, where_b,
                             r->raw->schema >= 3 ? COLUMNS_DELTA_DURATION : COLUMNS_START_END };
  gsize n_regions = 0;
  gsize n_rows = 0;
  gsize n_events = 0;
  gsize n = 0;
  guint64 total_count = 0;

  if (!sp_h5_has_child (r->in.file, "region_table", H5O_TYPE_GROUP))
    return sp_h5_input_fail (&r->in, error, "/region_table", "missing group");
  if (!sp_h5_has_child (r->in.file, "rank_region_index", H5O_TYPE_GROUP))
    return sp_h5_input_fail (&r->in, error, "/rank_region_index", "missing group");
  if (!sp_h5_has_child (r->in.file, "events", H5O_TYPE_GROUP))
    {
      if (H5Lexists (r->in.file, "rank_region_index/aggregate_counts", H5P_DEFAULT) > 0)
        return sp_h5_input_fail (&r->in, error, "/events",
                                 "missing group: the file was written in an aggregation mode that keeps "
                                 "no per-call events, which this reader does not support");
      return sp_h5_input_fail (&r->in, error, "/events", "missing group");
    }

  if ((region_table = H5Gopen2 (r->in.file, "region_table", H5P_DEFAULT)) < 0 ||
      (index_group = H5Gopen2 (r->in.file, "rank_region_index", H5P_DEFAULT)) < 0 ||
      (events = H5Gopen2 (r->in.file, "events", H5P_DEFAULT)) < 0)
    return sp_h5_input_fail (&r->in, error, "/", "a group cannot be opened (damaged file?)");

  /* Regions */
  if (!sp_h5_read_string_column (&r->in, region_table, "names", "/region_table/names", &region_names, &n_regions, error))
    return FALSE;

  region_map = g_new0 (guint, MAX (n_regions, 1));
  for (gsize i = 0; i < n_regions; i++)
    {
      if (region_names[i][0] == 0)
        return sp_h5_input_fail (&r->in, error, "/region_table/names", "region %" G_GSIZE_FORMAT " has an empty name", i);
      region_map[i] = _sp_session_raw_intern_region (r->raw, region_names[i]);
    }

  /* Rows of the index */
  if (!sp_h5_read_int_column (&r->in, index_group, "region_ids", "/rank_region_index/region_ids", &region_ids, &n_rows, error))
    return FALSE;

  if (!sp_h5_read_int_column (&r->in, index_group, "ranks", "/rank_region_index/ranks", &ranks, &n, error) ||
      !check_same_length (r, error, "/rank_region_index/ranks", n, "region_ids", n_rows) ||
      !sp_h5_read_int_column (&r->in, index_group, "event_offsets", "/rank_region_index/event_offsets", &offsets, &n, error) ||
      !check_same_length (r, error, "/rank_region_index/event_offsets", n, "region_ids", n_rows) ||
      !sp_h5_read_int_column (&r->in, index_group, "event_counts", "/rank_region_index/event_counts", &counts, &n, error) ||
      !check_same_length (r, error, "/rank_region_index/event_counts", n, "region_ids", n_rows))
    return FALSE;

  if (H5Lexists (index_group, "source_lines", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_int_column (&r->in, index_group, "source_lines", "/rank_region_index/source_lines", &source_lines, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/source_lines", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "source_files", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_string_column (&r->in, index_group, "source_files", "/rank_region_index/source_files", &source_files, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/source_files", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "source_texts", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_string_column (&r->in, index_group, "source_texts", "/rank_region_index/source_texts", &source_texts, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/source_texts", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "tags", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_string_column (&r->in, index_group, "tags", "/rank_region_index/tags", &tags, &n, error) ||
       !check_same_length (r, error, "/rank_region_index/tags", n, "region_ids", n_rows)))
    return FALSE;

  /* The event columns: check their extent before reading them, so the
   * progress total is known and the rows can be checked against it. */
  {
    sp_h5_auto hid_t dset = H5I_INVALID_HID;

    if ((dset = sp_h5_open_column (&r->in, events, name_a, where_a, H5T_INTEGER, &n_events, error)) < 0)
      return FALSE;
  }

  for (gsize i = 0; i < n_rows; i++)
    {
      if (region_ids[i] < 0 || (guint64) region_ids[i] >= n_regions)
        return sp_h5_input_fail (&r->in, error, "/rank_region_index/region_ids",
                                 "row %" G_GSIZE_FORMAT " refers to region %" G_GINT64_FORMAT
                                 ", but /region_table/names has %" G_GSIZE_FORMAT " regions",
                                 i, region_ids[i], n_regions);

      if (ranks[i] < 0 || ranks[i] > G_MAXUINT32)
        return sp_h5_input_fail (&r->in, error, "/rank_region_index/ranks",
                                 "row %" G_GSIZE_FORMAT " has an invalid rank (%" G_GINT64_FORMAT ")",
                                 i, ranks[i]);

      if (offsets[i] < 0 || counts[i] < 0 ||
          (guint64) counts[i] > n_events ||
          (guint64) offsets[i] > n_events - (guint64) counts[i])
        return sp_h5_input_fail (&r->in, error, "/rank_region_index",
                                 "row %" G_GSIZE_FORMAT " claims events %" G_GINT64_FORMAT "+%" G_GINT64_FORMAT
                                 ", outside the %" G_GSIZE_FORMAT " events stored in %s",
                                 i, offsets[i], counts[i], n_events, where_a);

      total_count += (guint64) counts[i];
    }

  /* Rows that share events would multiply the data we copy. */
  if (total_count > n_events)
    return sp_h5_input_fail (&r->in, error, "/rank_region_index/event_counts",
                             "the rows claim %" G_GUINT64_FORMAT " events in total, more than the %"
                             G_GSIZE_FORMAT " stored", total_count, n_events);

  r->in.work_total = (guint64) n_events * (H5Lexists (events, "thread_ids", H5P_DEFAULT) > 0 ? 3 : 2);
  r->in.work_done = 0;

  if ((c.dset_a = sp_h5_open_column (&r->in, events, name_a, where_a, H5T_INTEGER, &n, error)) < 0 ||
      !check_same_length (r, error, where_a, n, "the checked extent", n_events) ||
      (c.dset_b = sp_h5_open_column (&r->in, events, name_b, where_b, H5T_INTEGER, &n, error)) < 0 ||
      !check_same_length (r, error, where_b, n, name_a, n_events))
    return FALSE;

  if ((c.space_a = H5Dget_space (c.dset_a)) < 0 ||
      (c.space_b = H5Dget_space (c.dset_b)) < 0)
    return sp_h5_input_fail (&r->in, error, "/events", "the datasets' shapes cannot be read");

  if (H5Lexists (events, "thread_ids", H5P_DEFAULT) > 0)
    {
      if (!sp_h5_read_int_column (&r->in, events, "thread_ids", "/events/thread_ids", &threads, &n, error) ||
          !check_same_length (r, error, "/events/thread_ids", n, name_a, n_events) ||
          !check_thread_ids (r, "/events/thread_ids", threads, n, error))
        return FALSE;
    }

  if (sp_h5_has_child (r->in.file, "thread_table", H5O_TYPE_GROUP))
    {
      sp_h5_auto hid_t thread_table = H5I_INVALID_HID;

      if ((thread_table = H5Gopen2 (r->in.file, "thread_table", H5P_DEFAULT)) < 0)
        return sp_h5_input_fail (&r->in, error, "/thread_table", "the group cannot be opened (damaged file?)");

      if (!read_thread_table (r, thread_table, "/thread_table", TRUE, 0, error))
        return FALSE;
    }

  for (gsize i = 0; i < n_rows; i++)
    {
      gsize off = (gsize) offsets[i];
      gsize count = (gsize) counts[i];
      guint region = region_map[region_ids[i]];
      g_autofree char *where = g_strdup_printf ("/rank_region_index row %" G_GSIZE_FORMAT, i);
      SpSessionRegionInfo *info = g_ptr_array_index (r->raw->regions, region);
      g_autoptr(GVariant) v_file = NULL;
      g_autoptr(GVariant) v_line = NULL;
      g_autoptr(GVariant) v_text = NULL;
      g_autoptr(GVariant) v_tags = NULL;

      if (source_files != NULL && source_files[i][0] != 0)
        v_file = g_variant_ref_sink (g_variant_new_string (source_files[i]));
      if (source_lines != NULL && source_lines[i] >= 0)
        v_line = g_variant_ref_sink (g_variant_new_int64 (source_lines[i]));
      if (source_texts != NULL && source_texts[i][0] != 0)
        v_text = g_variant_ref_sink (g_variant_new_string (source_texts[i]));
      if (tags != NULL && tags[i][0] != 0)
        v_tags = g_variant_ref_sink (g_variant_new_string (tags[i]));
      region_set_info (info, v_file, v_line, v_text, v_tags);

      /* Each row is read straight into its series; a row of schema 3
       * starts afresh, its first delta absolute. */
      if (!read_events (r, &c, where, region, (guint) ranks[i], off, count,
                        threads != NULL ? threads + off : NULL, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_file (Reader  *r,
           GError **error)
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
    return read_schema1 (r, error);
  else
    return read_columnar (r, error);
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
_sp_h5_read_session (const char             *path,
                     GCancellable           *cancellable,
                     SpSessionProgressFunc   progress,
                     gpointer                progress_data,
                     GError                **error)
{
  g_autoptr(SpSessionRaw) raw = NULL;
  sp_h5_auto hid_t fapl = H5I_INVALID_HID;
  H5E_auto2_t saved_func = NULL;
  void *saved_data = NULL;
  Reader r = { 0 };
  gint64 *block[2] = { NULL, NULL };
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_IO, "%s: no such file", path);
      return NULL;
    }

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_ERROR, SP_ERROR_IO, "%s: is a directory", path);
      return NULL;
    }

  if (!has_hdf5_signature (path))
    {
      if (g_access (path, R_OK) != 0)
        {
          int errsv = errno;

          g_set_error (error, SP_ERROR, SP_ERROR_IO, "%s: %s", path, g_strerror (errsv));
          return NULL;
        }

      g_set_error (error, SP_ERROR, SP_ERROR_INVALID_FILE, "%s: not an HDF5 file", path);
      return NULL;
    }

  raw = _sp_session_raw_new ();

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
