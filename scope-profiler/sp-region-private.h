/* sp-region-private.h
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "sp-region.h"
#include "sp-profile-manager.h"
#include "sp-running-stats-private.h"
#include "sp-thread-private.h"

G_BEGIN_DECLS

/* Ordered so the hot path needs one comparison: everything below
 * SP_REGION_MODE_COUNT_ONLY records nothing. */
typedef enum _SpRegionMode
{
  SP_REGION_MODE_DISABLED   = 0,  /* the session records nothing */
  SP_REGION_MODE_ORPHANED   = 1,  /* the manager is gone */
  SP_REGION_MODE_INACTIVE   = 2,  /* cleared by setup(); joins the session on next enter */
  SP_REGION_MODE_COUNT_ONLY = 3,  /* calls counted, no timestamps */
  SP_REGION_MODE_TRACE      = 4,  /* calls counted and timestamped */
} SpRegionMode;

#define SP_REGION_RECORD_INLINE_STACK 8

/* A region's record of one thread: the calls that thread made into the
 * region and its open calls ("record" everywhere: the region's records,
 * sp_region_record_new(), _grow_stack(), _grow_buffers()). Allocated on
 * the thread's first call into the region, owned by the region (so a
 * thread's calls outlive it), and cache-line aligned so threads never
 * write a shared line. */
struct _SpRegionRecord
{
  /* Written by the owning thread only, on every call. */
  gint64         *starts;
  gint64         *ends;
  guint           n;               /* buffered completed calls; release-stored */
  guint           capacity;
  gint64         *stack;           /* start times of the open calls */
  guint           depth;
  guint           floor;           /* open calls that belong to an earlier session */
  guint           stack_capacity;
  guint64         num_calls;       /* completed calls this session; relaxed-stored */

  /* Cold: touched on slow paths under the manager's lock. */
  SpRegion       *region;
  SpRegionRecord *next;
  GArray         *starts_array;
  GArray         *ends_array;
  SpRunningStats         flushed;         /* calls already written to the spill file */
  gint64          thread_index;
  gint64          native_id;
  SpThreadInfo   *thread_info;     /* its name: sp_region_record_get_thread_name() */
  gint64          stack_inline[SP_REGION_RECORD_INLINE_STACK];
};

struct _SpRegion
{
  GObject           parent_instance;

  int               mode;          /* SpRegionMode, atomic */
  guint             id;            /* process-unique, never reused */
  char             *name;

  /* Everything below is protected by the manager's lock. */
  SpProfileManager *manager;       /* weak: the manager owns its regions */
  guint             index;         /* position within the current session */
  guint             buffer_limit;
  gboolean          unbounded;     /* buffers grow instead of flushing */
  gboolean          spilled_name;  /* announced to the current spill file */
  SpRegionRecord   *records;       /* prepend-only list, atomic head */
};

SpRegion *sp_region_new          (SpProfileManager *manager,
                                  const char       *name);
void      sp_region_activate     (SpRegion         *self,
                                  SpRegionMode      mode,
                                  guint             index,
                                  guint             buffer_limit,
                                  gboolean          unbounded);
void      sp_region_deactivate   (SpRegion         *self,
                                  SpRegionMode      mode);
void      sp_region_set_mode     (SpRegion         *self,
                                  SpRegionMode      mode);
void      sp_region_collect      (SpRegion         *self,
                                  SpRunningStats          *stats);
void      sp_region_record_grow_buffers (SpRegionRecord *record,
                                         guint           capacity);
void      sp_region_update_sysprof (void);

static inline const char *
sp_region_record_get_thread_name (SpRegionRecord *record)
{
  return __atomic_load_n (&record->thread_info->name, __ATOMIC_ACQUIRE);
}

static inline SpRegionMode
sp_region_get_mode (SpRegion *self)
{
  return (SpRegionMode) __atomic_load_n (&self->mode, __ATOMIC_RELAXED);
}

G_END_DECLS
