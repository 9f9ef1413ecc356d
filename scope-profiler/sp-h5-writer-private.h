/* sp-h5-writer-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <hdf5.h>

#include "sp-spill-private.h"

G_BEGIN_DECLS

/* What a session file is made of, gathered from the spill file and memory
 * before anything is written. A block's calls are either in memory owned
 * by the caller (region buffers under the manager's lock) or in a spill
 * file, read a piece at a time while the block is written; the caller
 * keeps the SpSpillReader open until sp_h5_write_session() returns. */
typedef struct _SpWriterBlock
{
  const gint64  *starts;  /* in memory, or NULL: in @spill */
  const gint64  *ends;
  SpSpillReader *spill;
  goffset        offset;  /* of the block's start times in @spill */
  gint64         thread;
  guint32        n;
} SpWriterBlock;

typedef struct _SpWriterRegion
{
  char    *name;
  guint64  num_calls;
  guint64  n_events;
  GArray  *blocks;   /* SpWriterBlock */
  /* Where the region is defined, as files of the Python package say;
   * written only when known (NULL, or -1 for the line). */
  char    *source_file;
  gint64   source_line;
  char    *source_text;
  char    *tags;     /* a JSON list of strings */
} SpWriterRegion;

typedef struct _SpWriterThread
{
  gint64  index;
  gint64  native_id;
  char   *name;
  /* Written as columns when known for some thread (has_times): when it
   * first recorded, when it ended (-1: running at finalize), its CPU time
   * (-1: a track, not a thread). */
  gboolean has_times;
  gint64  start_ns;
  gint64  end_ns;
  gint64  cpu_ns;
} SpWriterThread;

typedef struct _SpWriterRank
{
  guint      rank;
  GPtrArray *regions;  /* SpWriterRegion, in session order */
  GArray    *threads;  /* SpWriterThread */
} SpWriterRank;

SpWriterRank   *sp_writer_rank_new          (guint             rank);
void            sp_writer_rank_free         (SpWriterRank     *rank);
SpWriterRegion *sp_writer_rank_get_region   (SpWriterRank     *rank,
                                             guint             index,
                                             const char       *name);
void            sp_writer_rank_add_thread   (SpWriterRank     *rank,
                                             gint64            index,
                                             gint64            native_id,
                                             const char       *name);
void            sp_writer_rank_set_thread_times (SpWriterRank *rank,
                                                 gint64        index,
                                                 gint64        start_ns,
                                                 gint64        end_ns,
                                                 gint64        cpu_ns);
void            sp_writer_region_add_block  (SpWriterRegion   *region,
                                             gint64            thread,
                                             const gint64     *starts,
                                             const gint64     *ends,
                                             guint32           n);
void            sp_writer_region_add_stored_block (SpWriterRegion *region,
                                                   gint64          thread,
                                                   SpSpillReader  *spill,
                                                   goffset         offset,
                                                   guint32         n);
gboolean        sp_h5_write_session         (const char       *path,
                                             GPtrArray        *metadata,
                                             SpWriterRank    **ranks,
                                             guint             n_ranks,
                                             GError          **error);
gboolean        sp_h5_can_write_in_spill    (SpSpill          *spill,
                                             const char       *path);
gboolean        sp_h5_write_session_in_spill (SpSpill         *spill,
                                              SpSpillReader   *reader,
                                              const char      *path,
                                              GPtrArray       *metadata,
                                              SpWriterRank   **ranks,
                                              guint            n_ranks,
                                              GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpWriterRank, sp_writer_rank_free)

G_END_DECLS
