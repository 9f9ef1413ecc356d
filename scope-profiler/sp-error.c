/* sp-error.c
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "sp-error.h"

G_DEFINE_QUARK (sp-error-quark, sp_error)
