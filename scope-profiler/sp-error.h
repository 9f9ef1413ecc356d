/* sp-error.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(SCOPE_PROFILER_INSIDE) && !defined(SCOPE_PROFILER_COMPILATION)
# error "Only <scope-profiler.h> can be included directly."
#endif

#include <glib.h>

#include "sp-version-macros.h"

G_BEGIN_DECLS

/**
 * SP_ERROR:
 *
 * The error domain of scope-profiler.
 *
 * Since: 0.1
 */
#define SP_ERROR (sp_error_quark ())

/**
 * SpError:
 * @SP_ERROR_FAILED: a failure that has no better code
 * @SP_ERROR_IO: reading or writing a file failed (unwritable path, full disk, ...)
 * @SP_ERROR_INVALID_FILE: a file is not a scope-profiler session or spill file,
 *   or its contents are inconsistent
 * @SP_ERROR_INVALID_ARGUMENT: an argument was rejected
 *
 * Error codes in the %SP_ERROR domain.
 *
 * Since: 0.1
 */
typedef enum
{
  SP_ERROR_FAILED,
  SP_ERROR_IO,
  SP_ERROR_INVALID_FILE,
  SP_ERROR_INVALID_ARGUMENT,
} SpError;

SP_AVAILABLE_IN_ALL
GQuark sp_error_quark (void);

G_END_DECLS
