/* sp-python-private.h: what the parts of _scope_profiler_native share
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* _scope_profiler_native is one extension module made of:
 *
 *   sp-python-native.c    module init; Manager and Region types (recording,
 *                         finalizing), the per-call path (enter/exit,
 *                         Region.__enter__/__exit__, ProfiledFunction,
 *                         RegionLookup)
 *   sp-python-session.c   Session: saved sessions read by SpSession, arrays
 *                         handed out without a per-interval Python loop
 *   sp-python-tracer.c    recursive profiling: the profile hook that turns
 *                         Python calls into region calls
 *
 * It links libscope-profiler and Python only (no PyGObject): the
 * scope_profiler package works where gi cannot be imported.
 */

#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <scope-profiler.h>

G_BEGIN_DECLS

/* The SpRegion of a region object (the package's Region or a PyGObject
 * wrapper of an SpRegion), borrowed while @object lives; NULL with a
 * TypeError set for anything else. */
SpRegion         *sp_py_region_get   (PyObject         *object);

/* The one Python Region object of @region (created on first use, the same
 * object afterwards while it lives; None for a NULL @region). New
 * reference; NULL with an exception. */
PyObject         *sp_py_region_wrap  (SpRegion         *region);

/* The SpProfileManager of a Manager object, borrowed; NULL with a
 * TypeError set for anything else. */
SpProfileManager *sp_py_manager_get  (PyObject         *object);

/* Recursive profiling (sp-python-tracer.c). While the package has set a
 * hook (setup(recursive_profile=True)), a decorated function called with no
 * tracer active on its thread is called as hook(function, *args, **kwargs)
 * by sp_py_tracer_call_outermost(), which installs the tracer around it. */
extern PyObject  *sp_py_recursive_hook;
gboolean          sp_py_tracer_is_active       (void);
PyObject         *sp_py_tracer_call_outermost  (PyObject         *callable,
                                                PyObject *const  *args,
                                                size_t            nargsf,
                                                PyObject         *kwnames);

/* Each part adds its types and functions to the module; 0 or -1 with an
 * exception set. */
int               sp_py_session_init (PyObject         *module);
int               sp_py_tracer_init  (PyObject         *module);

G_END_DECLS
