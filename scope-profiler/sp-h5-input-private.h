/* sp-h5-input-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <hdf5.h>

G_BEGIN_DECLS

/* Checked reads from an HDF5 file that is trusted in nothing (see
 * sp-h5-input.c). */

/* Elements read at once: progress and cancellation are seen between. */
#define SP_H5_READ_BLOCK (1 << 20)

typedef struct _SpH5Input
{
  const char   *path;          /* for messages */
  hid_t         file;
  guint64       file_size;     /* bounds the strings read from the file */
  GCancellable *cancellable;
  void        (*progress) (double   fraction,
                           gpointer user_data);
  gpointer      progress_data;

  /* progress of the current phase */
  guint64       work_total;
  guint64       work_done;
} SpH5Input;

void     sp_h5_autoclose             (hid_t          *id);

/* Closes an HDF5 id of any kind when it goes out of scope. */
#define sp_h5_auto __attribute__((cleanup (sp_h5_autoclose)))

gboolean sp_h5_input_fail            (SpH5Input      *in,
                                      GError        **error,
                                      const char     *where,
                                      const char     *format,
                                      ...) G_GNUC_PRINTF (4, 5);
void     sp_h5_input_report          (SpH5Input      *in,
                                      guint64         done_now);
gboolean sp_h5_input_check_cancelled (SpH5Input      *in,
                                      GError        **error);

char    *sp_h5_join_path             (const char     *parent,
                                      const char     *name);
char    *sp_h5_valid_utf8_dup        (const char     *str,
                                      gssize          len);
gboolean sp_h5_has_child             (hid_t           loc,
                                      const char     *name,
                                      H5O_type_t      type);
gboolean sp_h5_list_links            (SpH5Input      *in,
                                      hid_t           group,
                                      const char     *where,
                                      GPtrArray     **out,
                                      GError        **error);
gboolean sp_h5_list_attrs            (SpH5Input      *in,
                                      hid_t           loc,
                                      const char     *where,
                                      GPtrArray     **out,
                                      GError        **error);
hid_t    sp_h5_open_column           (SpH5Input      *in,
                                      hid_t           loc,
                                      const char     *name,
                                      const char     *where,
                                      H5T_class_t     want,
                                      gsize          *n_out,
                                      GError        **error);
gboolean sp_h5_read_int_column       (SpH5Input      *in,
                                      hid_t           loc,
                                      const char     *name,
                                      const char     *where,
                                      gint64        **out,
                                      gsize          *n_out,
                                      GError        **error);
gboolean sp_h5_read_string_column    (SpH5Input      *in,
                                      hid_t           loc,
                                      const char     *name,
                                      const char     *where,
                                      char         ***out,
                                      gsize          *n_out,
                                      GError        **error);
gboolean sp_h5_read_slab             (SpH5Input      *in,
                                      hid_t           dset,
                                      hid_t           filespace,
                                      const char     *where,
                                      gsize           off,
                                      gsize           count,
                                      gint64         *dest,
                                      GError        **error);
gboolean sp_h5_read_attr_value       (SpH5Input      *in,
                                      hid_t           loc,
                                      const char     *name,
                                      const char     *where,
                                      GVariant      **out,
                                      GError        **error);
gboolean sp_h5_read_optional_attr    (SpH5Input      *in,
                                      hid_t           loc,
                                      const char     *loc_path,
                                      const char     *name,
                                      const GVariantType *want,
                                      GVariant      **out,
                                      GError        **error);

G_END_DECLS
