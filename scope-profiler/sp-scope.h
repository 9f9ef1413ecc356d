/* sp-scope.h
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

#include "sp-region.h"
#include "sp-version-macros.h"

G_BEGIN_DECLS

/**
 * SpScopeSite:
 * @name: the region name of the call site
 *
 * The per-call-site cache behind SP_PROFILE_SCOPE(). The region it resolves
 * to is looked up once; later passes cost no hash lookup.
 *
 * Since: 0.1
 */
typedef struct _SpScopeSite
{
  const char *name;
  /*< private >*/
  SpRegion   *region;
} SpScopeSite;

/**
 * SpScopeGuard:
 *
 * The value SP_PROFILE_SCOPE() keeps on the stack until the end of its block.
 *
 * Since: 0.1
 */
typedef struct _SpScopeGuard
{
  /*< private >*/
  SpRegion *region;
  gpointer  record;
} SpScopeGuard;

SP_AVAILABLE_IN_ALL
SpScopeGuard sp_scope_guard_enter (SpScopeSite  *site);
SP_AVAILABLE_IN_ALL
void         sp_scope_guard_leave (SpScopeGuard *guard);

#if !defined(__GI_SCANNER__) && !defined(__GTK_DOC_IGNORE__)
/* While no manager records, a resolved call site costs a load and a
 * branch: nothing is called. The first pass always goes in, as it is the
 * one that creates the default manager. */
static inline SpScopeGuard
sp_scope_guard_enter_inline (SpScopeSite *site)
{
  SpScopeGuard none = { NULL, NULL };

  if G_UNLIKELY (__atomic_load_n (&sp_region_recording_sessions, __ATOMIC_RELAXED) == 0 &&
                 __atomic_load_n (&site->region, __ATOMIC_RELAXED) != NULL)
    return none;

  return sp_scope_guard_enter (site);
}

static inline void
sp_scope_guard_leave_inline (SpScopeGuard *guard)
{
  /* A guard without a record has nothing to close. */
  if (guard->record != NULL)
    sp_scope_guard_leave (guard);
}
#endif

#define _SP_SCOPE_PASTE2(a,b) a##b
#define _SP_SCOPE_PASTE(a,b) _SP_SCOPE_PASTE2(a,b)

/**
 * SP_PROFILE_SCOPE:
 * @name: (type utf8): the region name, a string constant
 *
 * Records the rest of the enclosing block as one call of the region @name
 * of the default #SpProfileManager. The region is resolved once per call
 * site; it stays correct across sp_profile_manager_setup().
 *
 * |[<!-- language="C" -->
 * static void
 * solve (Matrix *a)
 * {
 *   SP_PROFILE_SCOPE ("solver");
 *   ...
 * }
 * ]|
 *
 * Since: 0.1
 */
#define SP_PROFILE_SCOPE(name) \
  static SpScopeSite _SP_SCOPE_PASTE (_sp_scope_site_, __LINE__) = { (name), NULL }; \
  G_GNUC_UNUSED __attribute__((cleanup (sp_scope_guard_leave_inline))) SpScopeGuard \
    _SP_SCOPE_PASTE (_sp_scope_guard_, __LINE__) = \
      sp_scope_guard_enter_inline (&_SP_SCOPE_PASTE (_sp_scope_site_, __LINE__))

/**
 * SP_PROFILE_FUNCTION:
 *
 * Like SP_PROFILE_SCOPE() with the name of the enclosing function.
 *
 * Since: 0.1
 */
#define SP_PROFILE_FUNCTION() SP_PROFILE_SCOPE (__func__)

G_END_DECLS
