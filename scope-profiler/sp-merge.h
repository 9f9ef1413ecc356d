/* sp-merge.h
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
 * SpMergeFlags:
 * @SP_MERGE_FLAGS_NONE: ranks keep their numbers; two sessions holding the
 *   same rank are an error
 * @SP_MERGE_FLAGS_RENUMBER: ranks are numbered 0, 1, 2, … in the order of
 *   the sessions, then in rank order within a session, so sessions of
 *   separate processes (each rank 0) can be combined
 *
 * How [func@ScopeProfiler.Session.write_merged] numbers the ranks.
 *
 * Since: 0.2
 */
typedef enum /*< flags >*/
{
  SP_MERGE_FLAGS_NONE     = 0,
  SP_MERGE_FLAGS_RENUMBER = 1 << 0,
} SpMergeFlags;

SP_AVAILABLE_IN_0_2
gboolean sp_session_write_to_file (SpSession     *self,
                                   const char    *path,
                                   GCancellable  *cancellable,
                                   GError       **error);
SP_AVAILABLE_IN_0_2
gboolean sp_session_write_merged  (SpSession    **sessions,
                                   guint          n_sessions,
                                   SpMergeFlags   flags,
                                   const char    *path,
                                   GCancellable  *cancellable,
                                   GError       **error);

G_END_DECLS
