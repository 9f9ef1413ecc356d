/* sp-region.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(SCOPE_PROFILER_INSIDE) && !defined(SCOPE_PROFILER_COMPILATION)
# error "Only <scope-profiler.h> can be included directly."
#endif

#include <glib-object.h>

#include "sp-version-macros.h"

G_BEGIN_DECLS

#define SP_TYPE_REGION (sp_region_get_type())

SP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (SpRegion, sp_region, SP, REGION, GObject)

SP_AVAILABLE_IN_ALL
const char *sp_region_get_name        (SpRegion *self);
SP_AVAILABLE_IN_ALL
guint64     sp_region_get_num_calls   (SpRegion *self);
SP_AVAILABLE_IN_ALL
void        sp_region_enter           (SpRegion *self);
SP_AVAILABLE_IN_ALL
void        sp_region_exit            (SpRegion *self);
SP_AVAILABLE_IN_0_2
void        sp_region_record          (SpRegion *self,
                                       gint64    track,
                                       gint64    start_ns,
                                       gint64    end_ns);
SP_AVAILABLE_IN_ALL
guint       sp_region_get_n_buffered  (SpRegion *self);
SP_AVAILABLE_IN_ALL
GBytes     *sp_region_get_durations   (SpRegion *self);
SP_AVAILABLE_IN_ALL
GBytes     *sp_region_get_start_times (SpRegion *self);
SP_AVAILABLE_IN_ALL
GBytes     *sp_region_get_end_times   (SpRegion *self);
SP_AVAILABLE_IN_ALL
GBytes     *sp_region_get_thread_ids  (SpRegion *self);

#if !defined(__GI_SCANNER__) && !defined(__GTK_DOC_IGNORE__)
/* Private: how many managers record at the moment. While none does, every
 * enter and exit is a no-op, and the inline wrappers below skip the call
 * into the library altogether: a disabled pair costs two loads and two
 * branches at the call site. Not part of the API; do not use it. */
SP_AVAILABLE_IN_ALL
int sp_region_recording_sessions;

static inline void
sp_region_enter_inline (SpRegion *self)
{
  if G_LIKELY (__atomic_load_n (&sp_region_recording_sessions, __ATOMIC_RELAXED) != 0)
    (sp_region_enter) (self);
}

static inline void
sp_region_exit_inline (SpRegion *self)
{
  if G_LIKELY (__atomic_load_n (&sp_region_recording_sessions, __ATOMIC_RELAXED) != 0)
    (sp_region_exit) (self);
}

# if !defined(SCOPE_PROFILER_COMPILATION) && !defined(SP_NO_INLINE)
#  define sp_region_enter(self) sp_region_enter_inline (self)
#  define sp_region_exit(self) sp_region_exit_inline (self)
# endif
#endif

G_END_DECLS
