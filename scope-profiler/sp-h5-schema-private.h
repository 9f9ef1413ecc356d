/* sp-h5-schema-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <hdf5.h>

#include "sp-h5-input-private.h"
#include "sp-session-raw-private.h"

G_BEGIN_DECLS

/* What the schema readers (sp-h5-schema1.c, sp-h5-columnar.c) share with
 * the reader's entry point (sp-h5-reader.c): the state of one read, the
 * thread tables and the reading of events into the raw series. */

typedef struct _SpH5Reader
{
  SpH5Input               in;
  SpSessionRaw           *raw;

  /* One block of each event column, reused for every read that has to
   * spread its events over several threads (shared by copies of @r). */
  gint64                **block;
} SpH5Reader;

/* How the two event columns hold an interval. */
typedef enum
{
  SP_H5_COLUMNS_START_END,        /* start_times, end_times */
  SP_H5_COLUMNS_DELTA_DURATION,   /* start_deltas (the first absolute), durations */
} SpH5Columns;

typedef struct _SpH5EventColumns
{
  hid_t        dset_a;
  hid_t        dset_b;
  hid_t        space_a;
  hid_t        space_b;
  const char  *where_a;
  const char  *where_b;
  SpH5Columns  columns;
} SpH5EventColumns;

void     sp_h5_event_columns_clear      (SpH5EventColumns     *c);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SpH5EventColumns, sp_h5_event_columns_clear)

gboolean sp_h5_reader_read_events       (SpH5Reader           *r,
                                         const SpH5EventColumns *c,
                                         const char           *where,
                                         guint                 region,
                                         guint                 rank,
                                         gsize                 off,
                                         gsize                 n,
                                         const gint64         *threads,
                                         GError              **error);
gboolean sp_h5_reader_read_thread_table (SpH5Reader           *r,
                                         hid_t                 group,
                                         const char           *group_path,
                                         gboolean              with_ranks,
                                         guint                 rank,
                                         GError              **error);
gboolean sp_h5_reader_check_thread_ids  (SpH5Reader           *r,
                                         const char           *where,
                                         const gint64         *ids,
                                         gsize                 n,
                                         GError              **error);
gboolean sp_h5_reader_check_same_length (SpH5Reader           *r,
                                         GError              **error,
                                         const char           *where,
                                         gsize                 n,
                                         const char           *other,
                                         gsize                 n_other);
void     sp_h5_reader_region_set_info   (SpSessionRegionInfo  *info,
                                         GVariant             *source_file,
                                         GVariant             *source_line,
                                         GVariant             *source_text,
                                         GVariant             *tags);

gboolean sp_h5_read_schema1             (SpH5Reader           *r,
                                         GError              **error);
gboolean sp_h5_read_columnar            (SpH5Reader           *r,
                                         GError              **error);

G_END_DECLS
