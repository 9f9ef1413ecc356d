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
 * @SP_ERROR_IO: the HDF5 library could not read or write a file and gave no
 *   system error to say why. Failures of the system (a missing directory, no
 *   permission, a full disk, ...) are reported in the %G_IO_ERROR domain,
 *   with the code g_io_error_from_errno() gives, since 0.2
 * @SP_ERROR_INVALID_FILE: a file is not a scope-profiler session or spill file,
 *   or its contents are inconsistent
 * @SP_ERROR_INVALID_ARGUMENT: an argument was rejected
 *
 * Error codes in the %SP_ERROR domain: what is wrong with a file's
 * contents or with an argument. What the system refused is a %G_IO_ERROR.
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
