# scope_profiler: the Python scope-profiler API on the ScopeProfiler C library
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Region profiling for Python, recorded by the ScopeProfiler C library.

A drop-in for the Python scope-profiler package's recording API::

    from scope_profiler import ProfileManager

    ProfileManager.setup(file_path="run.h5")

    @ProfileManager.profile("solver")
    def solve(A, b):
        ...

    with ProfileManager.profile_region("assemble"):
        ...

    ProfileManager.finalize()

Timestamps are CLOCK_MONOTONIC nanoseconds (the clock of
:func:`time.perf_counter_ns`); regions of C code (``SP_PROFILE_SCOPE``),
Python and gjs in one process share the default manager and its file.

The package needs its extension module ``_scope_profiler_native`` (built and
installed with the library), not PyGObject: importing it never imports
``gi``. Errors of the library are :class:`ProfilerError`, an
:class:`OSError` whose message is the library's.
"""

from .profile_manager import (ProfileManager, ProfilerError, UnsupportedOptionError,
                              get_current_time)

__all__ = ['ProfileManager', 'ProfilerError', 'UnsupportedOptionError', 'get_current_time',
           '__version__']

__version__ = '0.1.0'
