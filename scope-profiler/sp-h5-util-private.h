/* sp-h5-util-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <hdf5.h>

G_BEGIN_DECLS

/* HDF5 prints its error stack by default. We turn that off around our own
 * calls only: the host program (h5py, say) keeps its own setting. */
typedef struct _SpH5Quiet
{
  H5E_auto2_t func;
  void       *data;
} SpH5Quiet;

void     sp_h5_quiet_push        (SpH5Quiet   *quiet);
void     sp_h5_quiet_pop         (SpH5Quiet   *quiet);
char    *sp_h5_error_message     (void);
void     sp_h5_set_error         (GError     **error,
                                  int          code,
                                  const char  *format,
                                  ...) G_GNUC_PRINTF (3, 4);
char    *sp_h5_escape_name       (const char  *name);
char    *sp_h5_unescape_name     (const char  *escaped);
hid_t    sp_h5_string_type       (void);
gboolean sp_h5_write_attr_string (hid_t        loc,
                                  const char  *name,
                                  const char  *value);
char    *sp_h5_read_attr_string  (hid_t        loc,
                                  const char  *name);
gboolean sp_h5_write_attr_int    (hid_t        loc,
                                  const char  *name,
                                  gint64       value);

G_END_DECLS
