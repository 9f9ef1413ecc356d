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

#ifdef SP_DISABLE_DEPRECATION_WARNINGS
# define SP_DEPRECATED _SP_EXTERN
# define SP_DEPRECATED_FOR(f) _SP_EXTERN
# define SP_UNAVAILABLE(maj,min) _SP_EXTERN
#else
# define SP_DEPRECATED G_DEPRECATED _SP_EXTERN
# define SP_DEPRECATED_FOR(f) G_DEPRECATED_FOR (f) _SP_EXTERN
# define SP_UNAVAILABLE(maj,min) G_UNAVAILABLE (maj, min) _SP_EXTERN
#endif

/**
 * SP_VERSION_0_1:
 *
 * A macro that evaluates to the 0.1 version of scope-profiler, in a format
 * that can be used by %SP_VERSION_MIN_REQUIRED and %SP_VERSION_MAX_ALLOWED.
 *
 * Since: 0.1
 */
#define SP_VERSION_0_1 (G_ENCODE_VERSION (0, 1))

/**
 * SP_VERSION_0_2:
 *
 * A macro that evaluates to the 0.2 version of scope-profiler, in a format
 * that can be used by %SP_VERSION_MIN_REQUIRED and %SP_VERSION_MAX_ALLOWED.
 *
 * Since: 0.2
 */
#define SP_VERSION_0_2 (G_ENCODE_VERSION (0, 2))

/* Before 1.0 every minor version is an API series of its own; the newest
 * one these headers declare is the one under development. A release bumps
 * the project version to it, and a new series adds a SP_VERSION_0_x above,
 * an SP_AVAILABLE_IN_0_x block below and moves SP_VERSION_LATEST. */
#define SP_VERSION_CUR_STABLE (G_ENCODE_VERSION (SP_MAJOR_VERSION, SP_MINOR_VERSION))
#define SP_VERSION_LATEST     SP_VERSION_0_2

/**
 * SP_VERSION_MIN_REQUIRED:
 *
 * A macro that can be defined before including `scope-profiler.h` to the
 * oldest version of scope-profiler the code must build against, as one of
 * %SP_VERSION_0_1, %SP_VERSION_0_2, ...
 *
 * Functions deprecated in that version or earlier then warn when they are
 * used; functions deprecated later do not. It defaults to the version of
 * the headers.
 *
 * Since: 0.2
 */
#ifndef SP_VERSION_MIN_REQUIRED
# define SP_VERSION_MIN_REQUIRED (SP_VERSION_CUR_STABLE)
#endif

/**
 * SP_VERSION_MAX_ALLOWED:
 *
 * A macro that can be defined before including `scope-profiler.h` to the
 * newest version of scope-profiler whose API the code may use, as one of
 * %SP_VERSION_0_1, %SP_VERSION_0_2, ...
 *
 * Functions added after that version then warn when they are used. It
 * defaults to all the API the headers declare.
 *
 * Since: 0.2
 */
#ifndef SP_VERSION_MAX_ALLOWED
# define SP_VERSION_MAX_ALLOWED (SP_VERSION_LATEST)
#endif

#if SP_VERSION_MAX_ALLOWED < SP_VERSION_MIN_REQUIRED
# error "SP_VERSION_MAX_ALLOWED must be >= SP_VERSION_MIN_REQUIRED"
#endif

#define SP_AVAILABLE_IN_ALL _SP_EXTERN

#if SP_VERSION_MIN_REQUIRED >= SP_VERSION_0_1
# define SP_DEPRECATED_IN_0_1 SP_DEPRECATED
# define SP_DEPRECATED_IN_0_1_FOR(f) SP_DEPRECATED_FOR (f)
#else
# define SP_DEPRECATED_IN_0_1 _SP_EXTERN
# define SP_DEPRECATED_IN_0_1_FOR(f) _SP_EXTERN
#endif
#if SP_VERSION_MAX_ALLOWED < SP_VERSION_0_1
# define SP_AVAILABLE_IN_0_1 SP_UNAVAILABLE (0, 1)
#else
# define SP_AVAILABLE_IN_0_1 _SP_EXTERN
#endif

#if SP_VERSION_MIN_REQUIRED >= SP_VERSION_0_2
# define SP_DEPRECATED_IN_0_2 SP_DEPRECATED
# define SP_DEPRECATED_IN_0_2_FOR(f) SP_DEPRECATED_FOR (f)
#else
# define SP_DEPRECATED_IN_0_2 _SP_EXTERN
# define SP_DEPRECATED_IN_0_2_FOR(f) _SP_EXTERN
#endif
#if SP_VERSION_MAX_ALLOWED < SP_VERSION_0_2
# define SP_AVAILABLE_IN_0_2 SP_UNAVAILABLE (0, 2)
#else
# define SP_AVAILABLE_IN_0_2 _SP_EXTERN
#endif
