/* sp-h5-schema1.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The reader of schema 1, ours and the Python package's first format: a
 * group per rank ("rank0", ...), in it a group per region, nested where
 * the region name has '/', each with start_times, end_times and optionally
 * thread_ids, and a thread table per rank. Apart from the columnar reader
 * because the two share nothing but the events and thread tables
 * (sp-h5-reader.c). */

#include "config.h"

#include "sp-h5-schema-private.h"

#define MAX_GROUP_DEPTH 64

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
collect_leaves (SpH5Reader  *r,
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
read_leaf (SpH5Reader  *r,
           const Leaf  *leaf,
           GError     **error)
{
  sp_h5_auto hid_t group = H5I_INVALID_HID;
  g_auto(SpH5EventColumns) c = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                             NULL, NULL, SP_H5_COLUMNS_START_END };
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

      if (!sp_h5_reader_check_thread_ids (r, where_threads, threads, n_threads, error))
        return FALSE;
    }

  if (name != NULL && g_variant_get_string (name, NULL)[0] == 0)
    return sp_h5_input_fail (&r->in, error, leaf->group_path, "the region name attribute is empty");

  region = sp_session_raw_intern_region (r->raw,
                                          name != NULL ? g_variant_get_string (name, NULL) : leaf->name);
  info = g_ptr_array_index (r->raw->regions, region);
  sp_h5_reader_region_set_info (info, source_file, source_line, source_text, tags);

  return sp_h5_reader_read_events (r, &c, leaf->group_path, region, leaf->rank, 0, n_starts, threads, error);
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

gboolean
sp_h5_read_schema1 (SpH5Reader  *r,
                    GError     **error)
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

      sp_session_raw_add_file_rank (r->raw, rank);

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

          if (!sp_h5_reader_read_thread_table (r, threads, threads_path, FALSE, rank, error))
            return FALSE;
        }
    }

  /* Progress counts region groups here: their sizes are unknown until
   * they are opened. */
  r->in.work_total = MAX (leaves->len, 1);
  r->in.work_done = 0;

  for (guint i = 0; i < leaves->len; i++)
    {
      SpH5Reader sub = *r;

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
