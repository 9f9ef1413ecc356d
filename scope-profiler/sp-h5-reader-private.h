/* sp-h5-reader-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-session-raw-private.h"

G_BEGIN_DECLS

/* Reads a session file, ours or the Python package's (schemas 1 to 3),
 * into the raw container. The reader knows HDF5 and the raw container,
 * nothing of the model or of SpSession, which call it. */
SpSessionRaw        *sp_h5_read_session           (const char             *path,
                                                    GCancellable           *cancellable,
                                                    SpSessionProgressFunc   progress,
                                                    gpointer                progress_data,
                                                    GError                **error);

G_END_DECLS
