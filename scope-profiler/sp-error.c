/* sp-error.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>

#include "sp-error.h"
#include "sp-error-private.h"

G_DEFINE_QUARK (sp-error-quark, sp_error)

GIOErrorEnum
sp_io_error_from_errno (int errsv)
{
  if (errsv == EFBIG || errsv == EDQUOT)
    return G_IO_ERROR_NO_SPACE;

  return g_io_error_from_errno (errsv);
}
