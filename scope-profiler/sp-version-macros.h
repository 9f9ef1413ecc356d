/* sp-version-macros.h
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

#include "sp-version.h"

#ifndef _SP_EXTERN
# define _SP_EXTERN __attribute__((visibility("default"))) extern
#endif

#define SP_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

#ifdef SP_DISABLE_DEPRECATION_WARNINGS
# define SP_DEPRECATED _SP_EXTERN
# define SP_DEPRECATED_FOR(f) _SP_EXTERN
#else
# define SP_DEPRECATED G_DEPRECATED _SP_EXTERN
# define SP_DEPRECATED_FOR(f) G_DEPRECATED_FOR(f) _SP_EXTERN
#endif

#define SP_AVAILABLE_IN_ALL _SP_EXTERN
#define SP_AVAILABLE_IN_0_1 _SP_EXTERN
