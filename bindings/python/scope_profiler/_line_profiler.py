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
``profile_region(name, functions=[...])`` and ``region.add_function(f)``
add functions to the region's profiler, and ``with region:`` (the context
form) enables that profiler around the block. The context form goes
through the extension's region hook (``_native.set_region_hook``), set
only while a session has line profiling on: without it, ``with region:``
pays one load for it. The hook belongs to the manager whose ``setup()``
switched line profiling on last (the Python package has one manager), and
acts on every region entered with ``with``, also regions fetched before
that ``setup()``.

line_profiler has one active tracer at a time: a block nested in another
line-profiled block or function is timed by the inner profiler only, and
the outer one stops when the inner one is disabled (as with the Python
package, which uses the same line_profiler).
"""

import sys
import weakref

try:
    import _scope_profiler_native as _native
except ImportError:  # pragma: no cover - the package ships it
    _native = None

__all__ = ['require', 'configure', 'wrap', 'add_functions', 'get_stats', 'print_stats',
           'profilers']

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
    # A block or function still running under a dropped profiler: its
    # tracing stops now, not never.
    for profiler in state.profilers.values():
        while getattr(profiler, 'enable_count', 0) > 0:
            profiler.disable_by_count()
    state.enabled = enabled
    state.profilers = {}
    state.regions = []
    if _native is None or not hasattr(_native, 'set_region_hook'):
        return
    if enabled:
        _hook_owner[0] = _RegionHook(manager)
        _native.set_region_hook(_hook_owner[0])
    elif _hook_owner[0] is not None and _hook_owner[0].manager is manager:
        _native.set_region_hook(None)
        _hook_owner[0] = None


# The _RegionHook installed (one at a time).
_hook_owner = [None]


def _region_name(region):
    name = getattr(region, 'name', None)
    if not isinstance(name, str):
        name = region.get_name()
    return name


def _attach(state, region, profiler):
    """region.get_stats() / region.print_stats(), as on the Python
    package's LineProfilerRegion."""
    if region.__dict__.get('line_profiler') is profiler:
        return
    try:
        region.line_profiler = profiler
        region.get_stats = profiler.get_stats
        region.print_stats = profiler.print_stats
        state.regions.append(region)
    except AttributeError:  # pragma: no cover - a region without __dict__
        pass


class _RegionHook:
    """What ``with region:`` and ``region.add_function(f)`` do while
    line profiling is on: the region's LineProfiler (made on first use)
    enabled around the block."""

    def __init__(self, manager):
        self._manager = weakref.ref(manager)

    @property
    def manager(self):
        return self._manager()

    def _profiler(self, region):
        manager = self._manager()
        if manager is None:
            return None
        state = _state(manager)
        if not state.enabled:
            return None
        profiler = profiler_for(manager, _region_name(region))
        _attach(state, region, profiler)
        return profiler

    def enter(self, region):
        profiler = self._profiler(region)
        if profiler is not None:
            profiler.enable_by_count()

    def exit(self, region):
        manager = self._manager()
        if manager is None:
            return
        profiler = _state(manager).profilers.get(_region_name(region))
        if profiler is not None:
            profiler.disable_by_count()

    def add_function(self, region, func):
        profiler = self._profiler(region)
        if profiler is not None:
            _add(profiler, func)


def _add(profiler, func):
    inner = func.__func__ if isinstance(func, (staticmethod, classmethod)) else func
    inner = getattr(inner, '__wrapped__', inner)
    if not hasattr(inner, '__code__'):
        raise TypeError('add_function() needs a Python function, not %s' % type(func).__name__)
    profiler.add_function(inner)


def add_functions(manager, region, functions):
    """``profile_region(name, functions)``: ``functions`` (an iterable of
    Python functions) added to the region's profiler when the session has
    line profiling on; ignored otherwise (as in the Python package)."""
    state = manager.__dict__.get('_sp_line_profiler')
    if functions is None or state is None or not state.enabled:
        return
    if callable(functions):
        functions = [functions]
    profiler = profiler_for(manager, _region_name(region))
    _attach(state, region, profiler)
    for func in functions:
        _add(profiler, func)


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
    _attach(state, region, profiler)

    def line_profiled(*args, **kwargs):
        profiler.enable_by_count()
        try:
            return wrapper(*args, **kwargs)
        finally:
            profiler.disable_by_count()

    # Generators, coroutines and async generators: enabled around each
    # step of the body (a wrapper of the same kind), not around the call
    # that creates them.
    from . import _recursive
    steps = _recursive.wrap_each_step(inner, wrapper, profiler.enable_by_count,
                                      lambda token: profiler.disable_by_count())
    if steps is not None:
        line_profiled = steps

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
