# _features.py: the Python package's optional features, switched on by setup()
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""What ``setup(recursive_profile=True)``, ``setup(use_line_profiler=True)``,
``setup(use_likwid=True)`` and ``profile(name, recursive=...)`` do.

ProfileManager calls :func:`enable` at every ``setup()`` (with the features
switched on, possibly none), :func:`decorate_recursive` for
``profile(recursive=True|False)`` and :func:`wrap` for every decorated
function.

* Recursive profiling: :mod:`scope_profiler._recursive` (the call
  interception itself is in C).
* Line profiling: :mod:`scope_profiler._line_profiler`, through the
  ``line_profiler`` package (Debian: ``python3-line-profiler``).
* LIKWID: needs ``pylikwid``; without it ``setup(use_likwid=True)`` raises
  :class:`ImportError`. Marker regions are not implemented here, so with
  pylikwid installed it raises :class:`UnsupportedOptionError`.
"""

import sys
import threading

import _scope_profiler_native as _native

from . import _line_profiler
from . import _options
from . import _recursive

__all__ = ['AVAILABLE', 'enable', 'decorate_recursive', 'wrap', 'after_finalize',
           'track_threads']

AVAILABLE = ('recursive_profile', 'use_line_profiler', 'use_likwid')


def _check_likwid():
    try:
        import pylikwid  # noqa: F401
    except ImportError as error:
        raise ImportError(
            'setup(use_likwid=True) needs pylikwid, the Python interface to LIKWID: '
            'install it with "pip install pylikwid" (and LIKWID itself)',
            name='pylikwid') from error
    raise _options.UnsupportedOptionError(
        'setup(use_likwid=True) is not supported: LIKWID marker regions are not '
        'implemented by this scope_profiler. Leave it at its default.')


def enable(manager, features):
    """Switch ``manager``'s new session to ``features`` ({name: value} of
    the switched-on ones): every feature not named is off."""
    # Failures first, before anything changes.
    if features.get('use_likwid'):
        _check_likwid()
    line = bool(features.get('use_line_profiler'))
    if line:
        _line_profiler.require()
    recursive = bool(features.get('recursive_profile'))
    if recursive and not _recursive.available():
        _recursive._require()

    _recursive.configure(manager, recursive)
    _line_profiler.configure(manager, line)


def after_finalize(manager, verbose):
    """What finalize() prints after the summary: the line tables."""
    _line_profiler.print_at_finalize(manager, verbose)


def wrap(manager, func, region, wrapper, recursive=None):
    """The wrapper of decorated ``func`` (``wrapper`` records ``region``),
    with what the session's features add. ``recursive=None``: a generator,
    coroutine or async generator function follows
    ``setup(recursive_profile=...)`` step by step (plain functions do in
    C); ``False``: never recursive."""
    _recursive.register_decorated(func)
    if recursive is None:
        wrapper = _recursive.wrap_steps(func, region, wrapper)
    return _line_profiler.wrap(manager, func, region, wrapper)


def decorate_recursive(manager, func, name, recursive):
    """``profile(name, recursive=True|False)`` of ``manager``."""
    from . import _wrap as wrap_module
    import _scope_profiler_native as native

    def wrap_plain(f, n):
        # A wrapper the recursive hook of decorated functions does not
        # see (written in Python, not a ProfiledFunction).
        if not callable(f):
            raise TypeError('@profile needs a callable, not %s' % type(f).__name__)
        if n is None:
            n = getattr(f, '__name__', None) or type(f).__name__
        region = manager.profile_region(n)
        manager._decorated[n] = region
        return wrap(manager, f, region,
                    wrap_module.wrap(f, region, native.enter, native.exit, None),
                    recursive=False)

    return _recursive.decorate(manager, func, name, recursive, manager._decorate, wrap_plain)


# setup(track_threads=True): each thread is named in the session by its
# threading name, once, when it starts (threading's profile hook, which runs
# its first event and then gives way to whatever hook was there before).
_thread_hook_previous = None
_thread_hook_on = False


class _ThreadEnd:
    # Dropped with the thread's threading.local data when the thread's
    # Python state is cleared: before join() returns, unlike the thread's
    # exit, where the library takes the end otherwise.
    __slots__ = ()

    def __del__(self):
        _native.end_thread()


_thread_end = threading.local()


def _name_thread(frame, event, arg):
    _native.set_thread_name(threading.current_thread().name)
    _thread_end.marker = _ThreadEnd()
    sys.setprofile(_thread_hook_previous)
    if _thread_hook_previous is not None:
        return _thread_hook_previous(frame, event, arg)
    return None


def track_threads(on):
    """Switch the naming of threads on or off (every setup())."""
    global _thread_hook_previous, _thread_hook_on
    if on:
        # The threads that run now: the calling one (others are named when
        # they start, or keep the kernel's name).
        _native.set_thread_name(threading.current_thread().name)
        if not _thread_hook_on:
            _thread_hook_previous = getattr(threading, '_profile_hook', None)
            threading.setprofile(_name_thread)
            _thread_hook_on = True
    elif _thread_hook_on:
        if getattr(threading, '_profile_hook', None) is _name_thread:
            threading.setprofile(_thread_hook_previous)
        _thread_hook_previous = None
        _thread_hook_on = False
