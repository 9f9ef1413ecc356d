/* sp-python-session.c: saved sessions for the scope_profiler package
 *
 * Copyright 2026 The scope-profiler authors
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "sp-python-private.h"

int
sp_py_session_init (PyObject *module)
{
  return 0;
}
