/* sp-error-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The G_IO_ERROR code of a system error: g_io_error_from_errno(), except
 * that a file-size limit or a quota (EFBIG, EDQUOT) leaves no room as
 * surely as a full disk, though GIO calls them plain failures. */
GIOErrorEnum sp_io_error_from_errno (int errsv);

G_END_DECLS
