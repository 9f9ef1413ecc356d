# scope_profiler: the Python scope-profiler API on the ScopeProfiler C library
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Region profiling for Python, recorded by the ScopeProfiler C library.

A drop-in for the Python scope-profiler package's recording API, in its
current spelling::

    import scope_profiler as sp

    @sp.profile("solver")
    def solve(A, b):
        ...

    with sp.session(file_path="run.h5"):     # setup(...) ... finalize()
        with sp.region("assemble"):
            ...
        solve(A, b)

and in its original one::

    from scope_profiler import ProfileManager

    ProfileManager.setup(file_path="run.h5")

    @ProfileManager.profile("solver")
    def solve(A, b):
        ...

    with ProfileManager.profile_region("assemble"):
        ...

    ProfileManager.finalize()

``sp.setup``, ``sp.finalize``, ``sp.session``, ``sp.region`` (=
``profile_region``) and ``sp.profile`` act on the process-wide default
manager, as the class-level methods of :class:`ProfileManager` do;
``ProfileManager()`` makes an independent manager with the same methods
(``session()``, ``region()``, ``profile()``, ...) and a file of its own.
Before ``setup()`` nothing is recorded; ``finalize()`` without ``setup()``
writes a file holding only ``/metadata``.

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
           'setup', 'finalize', 'session', 'region', 'profile_region', 'profile',
           'get_region', 'get_all_regions', 'get_config', '__version__']


# The current API: functions of the process-wide default manager. setup(),
# finalize() and session() look ProfileManager's methods up at each call, so
# `scope-profiler run` (which owns the session of the script it runs) sees
# sp.setup()/sp.finalize() as it sees ProfileManager.setup()/finalize().

def setup(*args, **options):
    """``ProfileManager.setup(...)``: start a session of the default
    manager."""
    return ProfileManager.setup(*args, **options)


def finalize(verbose=None, file_path=None, **options):
    """``ProfileManager.finalize(...)``: write the default manager's session
    file and, with ``verbose``, print the summary."""
    return ProfileManager.finalize(verbose, file_path, **options)


def session(verbose=None, **options):
    """``ProfileManager.session(**options)``: a context manager (and
    decorator) that sets the default manager up on entry and finalizes it on
    exit, also when the body raises."""
    return ProfileManager.session(verbose, **options)


#: ``ProfileManager.profile_region``: ``with sp.region("name"):``
region = ProfileManager.profile_region
profile_region = region
#: ``ProfileManager.profile``: ``@sp.profile`` or ``@sp.profile("name")``
profile = ProfileManager.profile
get_region = ProfileManager.get_region
get_all_regions = ProfileManager.get_all_regions
get_config = ProfileManager.get_config

try:
    from ._version import __version__
except ImportError:  # an uninstalled tree: meson writes _version.py at install
    __version__ = 'unknown'
