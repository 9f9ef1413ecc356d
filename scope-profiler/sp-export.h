/* sp-export.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(SCOPE_PROFILER_INSIDE) && !defined(SCOPE_PROFILER_COMPILATION)
# error "Only <scope-profiler.h> can be included directly."
#endif

#include <gio/gio.h>

#include "sp-session.h"
#include "sp-version-macros.h"

G_BEGIN_DECLS

/**
 * SpExportFormat:
 * @SP_EXPORT_FORMAT_CHROME_TRACE: Chrome Trace Event JSON, for
 *   ui.perfetto.dev and chrome://tracing
 * @SP_EXPORT_FORMAT_CSV_INTERVALS: CSV, one row per interval
 * @SP_EXPORT_FORMAT_CSV_STATISTICS: CSV, one row per region with its
 *   statistics
 * @SP_EXPORT_FORMAT_JSON_STATISTICS: JSON, the statistics of each region,
 *   overall and per rank, with the session's metadata
 * @SP_EXPORT_FORMAT_SYSPROF_CAPTURE: a Sysprof capture (`.syscap`), one mark
 *   per interval; only when the library was built with Sysprof support, see
 *   [func@ScopeProfiler.ExportFormat.is_supported]
 *
 * The formats a session can be exported to.
 *
 * Since: 0.1
 */
typedef enum
{
  SP_EXPORT_FORMAT_CHROME_TRACE,
  SP_EXPORT_FORMAT_CSV_INTERVALS,
  SP_EXPORT_FORMAT_CSV_STATISTICS,
  SP_EXPORT_FORMAT_JSON_STATISTICS,
  SP_EXPORT_FORMAT_SYSPROF_CAPTURE,
} SpExportFormat;

/**
 * SP_EXPORT_CHROME_UNKNOWN_TID:
 *
 * The `tid` that Chrome Trace exports give intervals recorded without a
 * thread id (%SP_SESSION_THREAD_UNKNOWN). Trace viewers want a
 * non-negative 32-bit thread id, so -1 cannot be used.
 *
 * Since: 0.1
 */
#define SP_EXPORT_CHROME_UNKNOWN_TID G_GINT64_CONSTANT (2147483647)

/**
 * SpExportProgressFunc:
 * @fraction: the part of the export written so far, from 0 to 1
 * @user_data: the data given with the callback
 *
 * Called now and then while an export is written, in the thread that
 * writes it, and once with 1.0 when it is complete.
 *
 * Since: 0.2
 */
typedef void (*SpExportProgressFunc) (double   fraction,
                                      gpointer user_data);

SP_AVAILABLE_IN_ALL
gboolean sp_export_format_is_supported (SpExportFormat   format);
SP_AVAILABLE_IN_ALL
gboolean sp_session_export_to_stream   (SpSession       *self,
                                        SpExportFormat   format,
                                        GOutputStream   *stream,
                                        GCancellable    *cancellable,
                                        GError         **error);
SP_AVAILABLE_IN_ALL
gboolean sp_session_export_to_file     (SpSession       *self,
                                        SpExportFormat   format,
                                        const char      *path,
                                        GCancellable    *cancellable,
                                        GError         **error);
SP_AVAILABLE_IN_0_2
gboolean sp_session_export_to_stream_with_progress
                                       (SpSession             *self,
                                        SpExportFormat         format,
                                        GOutputStream         *stream,
                                        SpExportProgressFunc   progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GError               **error);
SP_AVAILABLE_IN_0_2
gboolean sp_session_export_to_file_with_progress
                                       (SpSession             *self,
                                        SpExportFormat         format,
                                        const char            *path,
                                        SpExportProgressFunc   progress,
                                        gpointer               progress_data,
                                        GCancellable          *cancellable,
                                        GError               **error);

G_END_DECLS
