/* sp-export-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sp-export.h"

G_BEGIN_DECLS

/* Appends @ns nanoseconds as microseconds with exactly three decimals,
 * computed on integers, so "12345" becomes "12.345". */
void     sp_export_append_us              (GString               *string,
                                            gint64                 ns);
/* Appends @str as a JSON string literal, quotes included. */
void     sp_export_append_json_string     (GString               *string,
                                            const char            *str);
/* Appends @str as a CSV field, quoted as RFC 4180 requires. */
void     sp_export_append_csv_field       (GString               *string,
                                            const char            *str);

G_END_DECLS
