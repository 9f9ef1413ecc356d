/* sp-h5-columnar.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* The reader of the Python package's columnar schemas 2 and 3: a region
 * table, an index of (region, rank) rows pointing into event columns
 * shared by all rows (start and end times in schema 2, start deltas and
 * durations in schema 3), and one thread table. Every row is checked
 * against the real extent of the event columns before anything is read. */

#include "config.h"

#include "sp-h5-schema-private.h"

gboolean
sp_h5_read_columnar (SpH5Reader  *r,
                     GError     **error)
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
  g_auto(SpH5EventColumns) c = { H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID,
                             where_a, where_b,
                             r->raw->schema >= 3 ? SP_H5_COLUMNS_DELTA_DURATION : SP_H5_COLUMNS_START_END };
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
      region_map[i] = sp_session_raw_intern_region (r->raw, region_names[i]);
    }

  /* Rows of the index */
  if (!sp_h5_read_int_column (&r->in, index_group, "region_ids", "/rank_region_index/region_ids", &region_ids, &n_rows, error))
    return FALSE;

  if (!sp_h5_read_int_column (&r->in, index_group, "ranks", "/rank_region_index/ranks", &ranks, &n, error) ||
      !sp_h5_reader_check_same_length (r, error, "/rank_region_index/ranks", n, "region_ids", n_rows) ||
      !sp_h5_read_int_column (&r->in, index_group, "event_offsets", "/rank_region_index/event_offsets", &offsets, &n, error) ||
      !sp_h5_reader_check_same_length (r, error, "/rank_region_index/event_offsets", n, "region_ids", n_rows) ||
      !sp_h5_read_int_column (&r->in, index_group, "event_counts", "/rank_region_index/event_counts", &counts, &n, error) ||
      !sp_h5_reader_check_same_length (r, error, "/rank_region_index/event_counts", n, "region_ids", n_rows))
    return FALSE;

  if (H5Lexists (index_group, "source_lines", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_int_column (&r->in, index_group, "source_lines", "/rank_region_index/source_lines", &source_lines, &n, error) ||
       !sp_h5_reader_check_same_length (r, error, "/rank_region_index/source_lines", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "source_files", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_string_column (&r->in, index_group, "source_files", "/rank_region_index/source_files", &source_files, &n, error) ||
       !sp_h5_reader_check_same_length (r, error, "/rank_region_index/source_files", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "source_texts", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_string_column (&r->in, index_group, "source_texts", "/rank_region_index/source_texts", &source_texts, &n, error) ||
       !sp_h5_reader_check_same_length (r, error, "/rank_region_index/source_texts", n, "region_ids", n_rows)))
    return FALSE;
  if (H5Lexists (index_group, "tags", H5P_DEFAULT) > 0 &&
      (!sp_h5_read_string_column (&r->in, index_group, "tags", "/rank_region_index/tags", &tags, &n, error) ||
       !sp_h5_reader_check_same_length (r, error, "/rank_region_index/tags", n, "region_ids", n_rows)))
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
      !sp_h5_reader_check_same_length (r, error, where_a, n, "the checked extent", n_events) ||
      (c.dset_b = sp_h5_open_column (&r->in, events, name_b, where_b, H5T_INTEGER, &n, error)) < 0 ||
      !sp_h5_reader_check_same_length (r, error, where_b, n, name_a, n_events))
    return FALSE;

  if ((c.space_a = H5Dget_space (c.dset_a)) < 0 ||
      (c.space_b = H5Dget_space (c.dset_b)) < 0)
    return sp_h5_input_fail (&r->in, error, "/events", "the datasets' shapes cannot be read");

  if (H5Lexists (events, "thread_ids", H5P_DEFAULT) > 0)
    {
      if (!sp_h5_read_int_column (&r->in, events, "thread_ids", "/events/thread_ids", &threads, &n, error) ||
          !sp_h5_reader_check_same_length (r, error, "/events/thread_ids", n, name_a, n_events) ||
          !sp_h5_reader_check_thread_ids (r, "/events/thread_ids", threads, n, error))
        return FALSE;
    }

  if (sp_h5_has_child (r->in.file, "thread_table", H5O_TYPE_GROUP))
    {
      sp_h5_auto hid_t thread_table = H5I_INVALID_HID;

      if ((thread_table = H5Gopen2 (r->in.file, "thread_table", H5P_DEFAULT)) < 0)
        return sp_h5_input_fail (&r->in, error, "/thread_table", "the group cannot be opened (damaged file?)");

      if (!sp_h5_reader_read_thread_table (r, thread_table, "/thread_table", TRUE, 0, error))
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
      sp_h5_reader_region_set_info (info, v_file, v_line, v_text, v_tags);

      /* Each row is read straight into its series; a row of schema 3
       * starts afresh, its first delta absolute. */
      if (!sp_h5_reader_read_events (r, &c, where, region, (guint) ranks[i], off, count,
                                     threads != NULL ? threads + off : NULL, error))
        return FALSE;
    }

  return TRUE;
}
