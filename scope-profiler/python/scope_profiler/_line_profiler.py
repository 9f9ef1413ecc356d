# _line_profiler.py: setup(use_line_profiler=True) through line_profiler
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Line-by-line timings of decorated functions, as the Python package's
``LineProfilerRegion`` gives them: one ``line_profiler.LineProfiler`` per
region name, the decorated function registered with it and the profiler
enabled around each of its calls. Region timings still go to the session
file; the line tables do not (as in the Python package 0.2.1): they are
printed by ``finalize()`` when verbose, or through :func:`get_stats` /
:func:`print_stats` (also ``ProfileManager.get_line_stats(name)``).

Functions decorated while line profiling is switched on are line-profiled;
``profile_region(name, functions=[...])`` adds ``functions`` to the
region's profiler.
"""

import sys

__all__ = ['require', 'configure', 'wrap', 'get_stats', 'print_stats', 'profilers']

_INSTALL_HINT = ('setup(use_line_profiler=True) needs the line_profiler package: install '
                 'python3-line-profiler (Debian/Ubuntu) or "pip install line_profiler"')


def require():
    """The ``line_profiler`` module; ``ImportError`` naming the package to
    install when it is missing."""
    try:
        import line_profiler
        line_profiler.LineProfiler
    except (ImportError, AttributeError) as error:
        raise ImportError(_INSTALL_HINT, name='line_profiler') from error
    return line_profiler


class _State:
    def __init__(self):
        self.enabled = False
        self.profilers = {}   # region name -> LineProfiler
        self.regions = []     # regions given get_stats()/print_stats()


def _state(manager):
    state = manager.__dict__.get('_sp_line_profiler')
    if state is None:
        state = manager._sp_line_profiler = _State()
    return state


def configure(manager, enabled):
    """A new session of ``manager``, with line profiling on or off; the
    profilers of the previous session are dropped (and their methods taken
    off the regions, which keep their identity across sessions)."""
    state = _state(manager)
    for region in state.regions:
        for attribute in ('get_stats', 'print_stats', 'line_profiler'):
            region.__dict__.pop(attribute, None)
    state.enabled = enabled
    state.profilers = {}
    state.regions = []


def profilers(manager):
    """{region name: LineProfiler} of the current session."""
    return _state(manager).profilers


def profiler_for(manager, name):
    state = _state(manager)
    profiler = state.profilers.get(name)
    if profiler is None:
        profiler = state.profilers[name] = require().LineProfiler()
    return profiler


def wrap(manager, func, region, wrapper):
    """``wrapper`` of ``func`` (recording ``region``), line-profiled when
    the session has line profiling on."""
    state = manager.__dict__.get('_sp_line_profiler')
    if state is None or not state.enabled:
        return wrapper
    inner = func.__func__ if isinstance(func, (staticmethod, classmethod)) else func
    if not hasattr(inner, '__code__'):
        return wrapper
    name = region.name if hasattr(region, 'name') else None
    if not isinstance(name, str):
        name = getattr(inner, '__name__', 'function')
    profiler = profiler_for(manager, name)
    profiler.add_function(inner)
    # region.get_stats() / region.print_stats(), as on the Python package's
    # LineProfilerRegion.
    try:
        region.line_profiler = profiler
        region.get_stats = profiler.get_stats
        region.print_stats = profiler.print_stats
        state.regions.append(region)
    except AttributeError:  # pragma: no cover - a region without __dict__
        pass

    def line_profiled(*args, **kwargs):
        profiler.enable_by_count()
        try:
            return wrapper(*args, **kwargs)
        finally:
            profiler.disable_by_count()

    try:
        import functools
        line_profiled = functools.wraps(inner)(line_profiled)
    except AttributeError:  # pragma: no cover
        pass
    line_profiled._sp_line_profiler = profiler
    return line_profiled


def get_stats(manager, name):
    """The ``LineStats`` of region ``name`` (``None`` without a profiler)."""
    profiler = _state(manager).profilers.get(name)
    return None if profiler is None else profiler.get_stats()


def print_at_finalize(manager, verbose):
    """finalize(): each region's line table when verbose."""
    state = manager.__dict__.get('_sp_line_profiler')
    if verbose and state is not None and state.enabled and state.profilers:
        print_stats(manager)


def print_stats(manager, name=None, stream=None):
    """Print the line table of region ``name`` (every region's when None)."""
    state = _state(manager)
    stream = sys.stdout if stream is None else stream
    names = list(state.profilers) if name is None else [name]
    for region_name in names:
        profiler = state.profilers.get(region_name)
        if profiler is None:
            continue
        print('Line profile of region: %s' % region_name, file=stream)
        profiler.print_stats(stream=stream)
    stream.flush()
