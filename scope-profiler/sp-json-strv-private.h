/* sp-json-strv-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses a JSON list of strings, e.g. ["io", "mpi"], into a
 * NULL-terminated vector of valid UTF-8; %NULL for anything else. */
char   **sp_json_parse_strv (const char *text);

G_END_DECLS
