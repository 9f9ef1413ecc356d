/* sp-h5-adopt-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <hdf5.h>

G_BEGIN_DECLS

/* An HDF5 file driver that builds a session inside an existing file (the
 * spill file) whose bytes from @protect_start to @protect_end must stay as
 * they are: HDF5 places its objects before and after them, and a chunk
 * written with sp_h5_adopt_write_chunk() is not written at all but made to
 * point at bytes already in that range. */
hid_t    sp_h5_adopt_fapl        (guint64   protect_start,
                                  guint64   protect_end);
gboolean sp_h5_adopt_write_chunk (hid_t     file,
                                  hid_t     dset,
                                  hsize_t   offset,
                                  guint64   file_offset,
                                  gsize     size,
                                  gpointer  scratch);
void     sp_h5_adopt_get_counts  (hid_t     file,
                                  guint64  *adopted,
                                  guint64  *copied);

G_END_DECLS
