/* sp-format.h
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

SP_AVAILABLE_IN_0_2
char *sp_format_duration (double ns) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
