/* sp-clock-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>
#include <time.h>

G_BEGIN_DECLS

/* CLOCK_MONOTONIC in nanoseconds: the clock Python's time.perf_counter_ns()
 * reads on Linux, so C, Python and gjs timestamps of one process line up. */
static inline gint64
sp_clock_now (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

G_END_DECLS
