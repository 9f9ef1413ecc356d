/* sp-export-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sp-export.h"

G_BEGIN_DECLS

/* For the command-line tool's progress bar: called now and then with the
 * fraction of intervals written so far. */
typedef void (*SpExportProgressFunc) (double   fraction,
                                      gpointer user_data);

gboolean _sp_session_export_to_stream_full (SpSession             *self,
                                            SpExportFormat         format,
                                            GOutputStream         *stream,
                                            SpExportProgressFunc   progress,
                                            gpointer               progress_data,
                                            GCancellable          *cancellable,
                                            GError               **error);
gboolean _sp_session_export_to_file_full   (SpSession             *self,
                                            SpExportFormat         format,
                                            const char            *path,
                                            SpExportProgressFunc   progress,
                                            gpointer               progress_data,
                                            GCancellable          *cancellable,
                                            GError               **error);

/* Appends @ns nanoseconds as microseconds with exactly three decimals,
 * computed on integers, so "12345" becomes "12.345". */
void     _sp_export_append_us              (GString               *string,
                                            gint64                 ns);
/* Appends @str as a JSON string literal, quotes included. */
void     _sp_export_append_json_string     (GString               *string,
                                            const char            *str);
/* Appends @str as a CSV field, quoted as RFC 4180 requires. */
void     _sp_export_append_csv_field       (GString               *string,
                                            const char            *str);

G_END_DECLS
