/* sp-session-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "sp-session.h"
#include "sp-session-model-private.h"
#include "sp-session-raw-private.h"

G_BEGIN_DECLS

/* Builds the model (sorting, nesting, statistics) from what the reader
 * found and installs it: the second half of sp_session_load(), apart so
 * benchmarks can time the two halves (the first is sp_h5_read_session(),
 * in sp-h5-reader-private.h). Takes @raw. */
void                 sp_session_load_raw          (SpSession              *self,
                                                    const char             *path,
                                                    SpSessionRaw           *raw);

SpSessionModel      *sp_session_get_model         (SpSession              *self);
SpSession           *sp_session_new_for_model     (const char             *path,
                                                    SpSessionModel         *model);

G_END_DECLS
