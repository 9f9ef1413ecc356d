/* sp-spill-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "sp-metadata-private.h"
#include "sp-running-stats-private.h"

G_BEGIN_DECLS

/* The spill file holds the buffers flushed while a session runs. It only
 * ever grows by whole records (a failed write is truncated away), so after
 * every flush it is complete: a crash loses at most what was still
 * buffered, and sp_profile_manager_recover() turns it into a session.
 *
 * At finalize the file itself becomes the session: HDF5's superblock goes
 * into the room left for it after the header (the header is the HDF5 file's
 * user block), its objects after the last record, and the start and end
 * times of the full blocks are the session's chunks where they lie (see
 * sp-h5-adopt.c). So the bulk of the calls is written once.
 *
 * Layout (native byte order, recorded in the header):
 *   header: "SPSPILL\0", u32 version (2), u32 byte-order mark 0x01020304,
 *           i64 pid, i64 start time (CLOCK_MONOTONIC ns),
 *           u64 offset of the first record (SP_SPILL_RECORDS_OFFSET),
 *           u64 sealed end: 0, or where the records end while the file is
 *           being turned into a session (what follows is HDF5's)
 *   (version 1, still read: the header stops after the start time and
 *   the records follow it)
 *   records: u32 type, u32 reserved, u64 payload length, payload padded
 *            to a multiple of 8 bytes
 *     METADATA: u32 kind (0 string, 1 int64), u32 key length, key,
 *               then an i64, or the string's bytes to the end
 *     REGION:   u32 session index, u32 reserved, name bytes to the end
 *     THREAD:   i64 thread index, i64 native id, name bytes to the end
 *     BLOCK:    u32 region index, u32 n, i64 thread index,
 *               n × i64 start times, n × i64 end times
 */

#define SP_SPILL_MAGIC     "SPSPILL"
#define SP_SPILL_VERSION   2
/* The HDF5 user block: the header, then the superblock at this offset. */
#define SP_SPILL_USERBLOCK 4096
#define SP_SPILL_RECORDS_OFFSET 8192
#define SP_SPILL_BOM       0x01020304u

typedef struct _SpSpill SpSpill;
typedef struct _SpSpillReader SpSpillReader;

/* What a walk over a spill file reports, record by record. Names point
 * into the reader's memory and are valid during the call only. A block's
 * calls are not read by the walk: the visitor gets where they are
 * (@offset, the file offset of the block's start times; its end times
 * follow them), and reads them with sp_spill_reader_read_calls() while
 * @reader is open. */
typedef struct _SpSpillVisitor
{
  void     (*metadata)     (const SpMetadataEntry *entry,
                            gpointer               user_data);
  void     (*region)       (guint32                index,
                            const char            *name,
                            gsize                  name_len,
                            gpointer               user_data);
  void     (*thread)       (gint64                 index,
                            gint64                 native_id,
                            const char            *name,
                            gsize                  name_len,
                            gpointer               user_data);
  gboolean (*block)        (guint32                region_index,
                            gint64                 thread_index,
                            SpSpillReader         *reader,
                            goffset                offset,
                            guint32                n,
                            gpointer               user_data,
                            GError               **error);
} SpSpillVisitor;

SpSpill    *sp_spill_new          (const char            *path,
                                   gint64                 start_time,
                                   GPtrArray             *metadata,
                                   GError               **error);
const char *sp_spill_get_path     (SpSpill               *self);
gboolean    sp_spill_write_region (SpSpill               *self,
                                   guint32                index,
                                   const char            *name,
                                   GError               **error);
gboolean    sp_spill_write_thread (SpSpill               *self,
                                   gint64                 index,
                                   gint64                 native_id,
                                   const char            *name,
                                   GError               **error);
gboolean    sp_spill_write_block  (SpSpill               *self,
                                   guint32                region_index,
                                   gint64                 thread_index,
                                   const gint64          *starts,
                                   const gint64          *ends,
                                   guint32                n,
                                   SpRunningStats               *stats,
                                   GError               **error);
gboolean    sp_spill_has_thread   (SpSpill               *self,
                                   gint64                 index);
int         sp_spill_get_fd       (SpSpill               *self);
goffset     sp_spill_get_end      (SpSpill               *self);
gboolean    sp_spill_seal         (SpSpill               *self,
                                   GError               **error);
void        sp_spill_unseal       (SpSpill               *self);
void        sp_spill_free         (SpSpill               *self,
                                   gboolean               unlink_file);
void        sp_spill_discard      (SpSpill               *self);

SpSpillReader *sp_spill_reader_open       (const char           *path,
                                           GError              **error);
void           sp_spill_reader_free       (SpSpillReader        *reader);
const char    *sp_spill_reader_get_path   (SpSpillReader        *reader);
gboolean       sp_spill_reader_visit      (SpSpillReader        *reader,
                                           const SpSpillVisitor *visitor,
                                           gpointer              user_data,
                                           GError              **error);
gboolean       sp_spill_reader_read_calls (SpSpillReader        *reader,
                                           goffset               offset,
                                           guint32               n,
                                           guint32               first,
                                           guint32               count,
                                           gint64               *starts,
                                           gint64               *ends,
                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpSpillReader, sp_spill_reader_free)

G_END_DECLS
