# _recursive.py: recursive profiling (every Python call becomes a region call)
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Recursive profiling, as ``setup(recursive_profile=True)``,
``profile(name, recursive=True)`` and ``scope-profiler run`` do it.

The call interception is in C (``_scope_profiler_native.Tracer``): each
Python call on the thread enters a region named ``<module>.<qualname>`` and
its return (also by an exception, and each generator yield) exits it. The
region of a code object and whether it is recorded at all are decided once
per code object by :func:`code_filter` here and cached in C; no Python code
runs per call. The hook is a frame-evaluation hook (PEP 523) on CPython
3.11.4 and later 3.11 releases, a profile hook (``PyEval_SetProfile``,
chaining the one in place) on older 3.11 releases, on 3.12+, whenever a
profiler, tracer or another frame-evaluation hook is in place and when the
recursion limit was raised above 10 000; both record the same calls
(``activation.path`` says which; ``SCOPE_PROFILER_TRACER=profile|frame``
forces one; see the comment at the top of sp-python-tracer.c).

Not recorded: calls of C functions; the frames of the package's own
machinery (``scope_profiler`` and its private modules, the PyGObject
override); the code of explicitly decorated functions (their decorator
records them under their own name); the frame that activated the tracer
and its callers. With ``only_user_code`` (``run`` without ``--all``),
also code whose file is empty or ``<...>`` (``<string>``, frozen modules)
or lies under the standard library or site-packages.
"""

import functools
import inspect
import os
import site
import sys
import sysconfig

try:
    import _scope_profiler_native as _native
except ImportError:  # pragma: no cover - the package ships it
    _native = None

__all__ = ['code_filter', 'register_decorated', 'RecursiveProfiler', 'available']

# Module names whose frames are never recorded: the package's recording
# machinery (the public reading and plotting modules are ordinary code).
_INTERNAL_MODULES = frozenset({
    'scope_profiler',
    'scope_profiler.profile_manager',
    'scope_profiler.profile_config',
    'scope_profiler.region_profiler',
    'scope_profiler.__main__',
    'gi.overrides.ScopeProfiler',
})

# Code objects of explicitly decorated functions: recorded by their
# decorator, skipped by the tracer.
_decorated_codes = set()
# Live tracers, told to forget their cache when a function is decorated.
_tracers = []


def available():
    """Whether recursive profiling can run (the extension module loads)."""
    return _native is not None and hasattr(_native, 'Tracer')


def _require():
    if not available():
        raise ImportError('recursive profiling needs the _scope_profiler_native extension '
                          'module, which is built and installed with scope-profiler')


def is_internal_module(module_name):
    return (module_name in _INTERNAL_MODULES or
            module_name.startswith('scope_profiler._'))


def _library_prefixes():
    """Directories of the standard library and installed packages, real
    paths ending with a separator."""
    paths = set()
    for key in ('stdlib', 'platstdlib', 'purelib', 'platlib'):
        try:
            value = sysconfig.get_path(key)
        except KeyError:  # pragma: no cover
            value = None
        if value:
            paths.add(value)
    try:
        paths.update(site.getsitepackages())
    except AttributeError:  # pragma: no cover - virtualenv's old site.py
        pass
    user_site = getattr(site, 'USER_SITE', None) or (
        site.getusersitepackages() if hasattr(site, 'getusersitepackages') else None)
    if user_site:
        paths.add(user_site)
    # Debian: /usr/lib/python3/dist-packages is on none of the above.
    for entry in sys.path:
        if entry and os.path.basename(entry.rstrip(os.sep)) in ('dist-packages', 'site-packages'):
            paths.add(entry)
    prefixes = set()
    for path in paths:
        real = os.path.realpath(path)
        prefixes.add(real.rstrip(os.sep) + os.sep)
    return tuple(sorted(prefixes))


def is_user_code(code, _cache={}):
    """Whether ``code`` comes from a real file outside the standard
    library and site-packages."""
    filename = code.co_filename
    if not filename or (filename.startswith('<') and filename.endswith('>')):
        return False
    prefixes = _cache.get('prefixes')
    if prefixes is None:
        prefixes = _cache['prefixes'] = _library_prefixes()
    real = os.path.realpath(filename)
    return not real.startswith(prefixes)


def code_filter(only_user_code=False):
    """The per-code-object decision of a Tracer: ``(code, module_name) ->
    bool``, called once per code object."""
    def keep(code, module_name):
        if is_internal_module(module_name):
            return False
        if code in _decorated_codes:
            return False
        if only_user_code and not is_user_code(code):
            return False
        return True
    return keep


def register_decorated(func):
    """Leave the code of explicitly decorated ``func`` to its decorator."""
    inner = func
    for _ in range(100):
        if isinstance(inner, (staticmethod, classmethod)):
            inner = inner.__func__
            continue
        wrapped = getattr(inner, '__wrapped__', None)
        if wrapped is None:
            break
        inner = wrapped
    code = getattr(inner, '__code__', None)
    if code is None or code in _decorated_codes:
        return
    _decorated_codes.add(code)
    for tracer in _tracers:
        tracer.forget()


def new_tracer(region_factory, only_user_code=False):
    """A Tracer recording into ``region_factory(name)`` regions."""
    _require()
    tracer = _native.Tracer(region_factory, code_filter(only_user_code))
    # Few tracers live at once (one per manager session and run); keep the
    # newest few for register_decorated().
    _tracers.append(tracer)
    del _tracers[:-8]
    return tracer


def current_activation():
    """The activation of a Tracer installed on this thread, or None."""
    if _native is None:
        return None
    return _native.current_activation()


def decorate(manager, func, name, recursive, decorate_plain, wrap_plain):
    """``profile(name, recursive=True|False)`` of ``manager``.

    ``recursive=True``: the function's own region (``decorate_plain``) and,
    on its outermost call on a thread, every nested call through the
    manager's tracer. ``recursive=False``: its own region only, also while
    ``setup(recursive_profile=True)`` is in force (``wrap_plain``: a
    wrapper that the recursive hook of decorated functions does not see).
    """
    if isinstance(func, (staticmethod, classmethod)):
        return type(func)(decorate(manager, func.__func__, name, recursive,
                                   decorate_plain, wrap_plain))
    if recursive:
        return profiler_of(manager).wrap(func, decorate_plain(func, name))
    register_decorated(func)
    return wrap_plain(func, name)


def profiler_of(manager):
    """The RecursiveProfiler of ``manager`` (a ProfileManager), made on
    first use."""
    profiler = manager.__dict__.get('_sp_recursive')
    if profiler is None:
        profiler = manager._sp_recursive = RecursiveProfiler(manager.profile_region)
    return profiler


def configure(manager, enabled):
    """A new session of ``manager``: recursive mode ``enabled`` or not for
    functions decorated without ``recursive=``; the tracer's cache is
    dropped (regions are made again on first call)."""
    profiler = profiler_of(manager)
    profiler.reset()
    if enabled:
        _require()
        _native.set_recursive_hook(profiler.call_outermost)
        _hook_owner[0] = profiler
    elif _hook_owner[0] is profiler:
        _native.set_recursive_hook(None)
        _hook_owner[0] = None


# The RecursiveProfiler whose hook is set (one at a time).
_hook_owner = [None]


class RecursiveProfiler:
    """Recursive profiling for one manager: one Tracer, made on first use,
    dropped when the manager starts a new session (:meth:`reset`)."""

    def __init__(self, region_factory):
        self._region_factory = region_factory
        self._tracer = None

    def tracer(self):
        if self._tracer is None:
            self._tracer = new_tracer(self._region_factory)
        return self._tracer

    def reset(self):
        self._tracer = None

    def call_outermost(self, function, *args, **kwargs):
        """The hook of decorated functions: ``function`` (a
        ProfiledFunction) called with the tracer active around it."""
        activation = self.tracer().activate()
        try:
            return function(*args, **kwargs)
        finally:
            activation.deactivate()

    def wrap(self, func, recorded):
        """A wrapper of decorated ``func`` (``recorded`` records it into its
        own region) that, on the outermost call on a thread, records every
        nested call through the tracer until it returns."""
        _require()
        register_decorated(func)
        profiler = self

        if isinstance(func, (staticmethod, classmethod)):
            kind = type(func)
            return kind(self.wrap(func.__func__, recorded.__func__))

        variant = getattr(recorded, '_sp_step_variant', None)
        if variant is not None:
            # A generator, coroutine or async generator: each step of its
            # body, not the call that creates it, runs with the tracer.
            return functools.wraps(func)(variant(profiler))

        @functools.wraps(func)
        def recursive_wrapper(*args, **kwargs):
            if _native.current_activation() is not None:
                return recorded(*args, **kwargs)
            activation = profiler.tracer().activate()
            try:
                return recorded(*args, **kwargs)
            finally:
                activation.deactivate()

        return recursive_wrapper


# Decorated generator, coroutine and async generator functions
#
# Their body runs in steps (each resumption), not in one call, so the
# tracer cannot simply be active around the call that creates them. Each
# step runs with the tracer active instead, when none is active on the
# thread yet: the inner generator, coroutine or async generator is wrapped
# in a proxy whose next()/send()/throw()/close() (and the awaitables of an
# async generator's methods) activate it around the step, and the
# decorator's own wrappers (scope_profiler._wrap) run unchanged around the
# proxy. Calls made while the body is suspended (by the consumer, by other
# tasks of the event loop) are not recorded.


def step_kind(func):
    """'generator', 'coroutine', 'asyncgen' or None (a plain function)."""
    inner = func.__func__ if isinstance(func, (staticmethod, classmethod)) else func
    if inspect.isgeneratorfunction(inner):
        return 'generator'
    if inspect.iscoroutinefunction(inner):
        return 'coroutine'
    if inspect.isasyncgenfunction(inner):
        return 'asyncgen'
    return None


def _activate(profiler):
    """The activation of ``profiler``'s tracer for one step, or None when a
    tracer is already active on this thread."""
    if _native.current_activation() is not None:
        return None
    return profiler.tracer().activate()


def _deactivate(activation):
    if activation is not None:
        activation.deactivate()


class _TracedIterator:
    """A generator (or an awaitable's iterator) each of whose steps runs
    between ``token = begin()`` and ``end(token)``."""

    __slots__ = ('_it', '_begin', '_end')

    def __init__(self, it, begin, end):
        self._it = it
        self._begin = begin
        self._end = end

    def __iter__(self):
        return self

    def __next__(self):
        return self.send(None)

    def send(self, value):
        token = self._begin()
        try:
            if value is None:
                return next(self._it)
            return self._it.send(value)
        finally:
            self._end(token)

    def throw(self, *exc_info):
        token = self._begin()
        try:
            return self._it.throw(*exc_info)
        finally:
            self._end(token)

    def close(self):
        close = getattr(self._it, 'close', None)
        if close is None:
            return None
        token = self._begin()
        try:
            return close()
        finally:
            self._end(token)


class _TracedAwaitable:
    """An awaitable each of whose resumptions runs between begin and end."""

    __slots__ = ('_awaitable', '_begin', '_end')

    def __init__(self, awaitable, begin, end):
        self._awaitable = awaitable
        self._begin = begin
        self._end = end

    def __await__(self):
        return _TracedIterator(self._awaitable.__await__(), self._begin, self._end)


class _TracedAsyncGenerator:
    """An async generator each of whose steps runs between begin and end."""

    __slots__ = ('_agen', '_begin', '_end')

    def __init__(self, agen, begin, end):
        self._agen = agen
        self._begin = begin
        self._end = end

    def _traced(self, awaitable):
        return _TracedAwaitable(awaitable, self._begin, self._end)

    def __anext__(self):
        return self._traced(self._agen.__anext__())

    def asend(self, value):
        return self._traced(self._agen.asend(value))

    def athrow(self, *exc_info):
        return self._traced(self._agen.athrow(*exc_info))

    def aclose(self):
        return self._traced(self._agen.aclose())


_PROXIES = {
    'generator': _TracedIterator,
    'coroutine': _TracedAwaitable,
    'asyncgen': _TracedAsyncGenerator,
}


def _step_variant(func, kind, region):
    """``wrapper_for(profiler)``: the decorator's wrapper of ``func`` (a
    generator, coroutine or async generator function) around a proxy whose
    steps run with ``profiler``'s tracer active."""
    from . import _wrap

    build = {'generator': _wrap._wrap_generator,
             'coroutine': _wrap._wrap_coroutine,
             'asyncgen': _wrap._wrap_async_generator}[kind]
    proxy = _PROXIES[kind]
    enter, leave = _native.enter, _native.exit

    last = [None, None]   # the profiler and its wrapper, made once

    def wrapper_for(profiler):
        if last[0] is profiler:
            return last[1]

        begin = functools.partial(_activate, profiler)

        def traced(*args, **kwargs):
            return proxy(func(*args, **kwargs), begin, _deactivate)
        wrapper = build(traced, region, enter, leave)
        last[:] = [profiler, wrapper]
        return wrapper

    return wrapper_for


def wrap_steps(func, region, plain):
    """What the decorator makes of generator, coroutine and async
    generator ``func`` (recording ``region``; ``plain`` is its ordinary
    wrapper): the same wrapper (scope_profiler._wrap's, of the same kind,
    so inspect and asyncio still see a generator or coroutine function)
    around an inner call that, while ``setup(recursive_profile=True)`` is
    in force, hands the body over in a proxy whose steps record nested
    calls through the tracer of that session. The check costs one Python
    call per generator or coroutine made, none per step. Other functions:
    ``plain`` itself (the C ProfiledFunction does the same check)."""
    if _native is None or isinstance(func, (staticmethod, classmethod)):
        return plain
    kind = step_kind(func)
    if kind is None:
        return plain
    from . import _wrap

    build = {'generator': _wrap._wrap_generator,
             'coroutine': _wrap._wrap_coroutine,
             'asyncgen': _wrap._wrap_async_generator}[kind]
    proxy = _PROXIES[kind]
    owner = _hook_owner

    def inner(*args, **kwargs):
        body = func(*args, **kwargs)
        profiler = owner[0]
        if profiler is None:
            return body
        return proxy(body, functools.partial(_activate, profiler), _deactivate)

    wrapper = build(inner, region, _native.enter, _native.exit)
    try:
        wrapper = functools.wraps(func)(wrapper)
    except AttributeError:  # pragma: no cover - exotic callables
        pass
    wrapper._sp_step_variant = _step_variant(func, kind, region)
    return wrapper


def _nothing(region):
    pass


def wrap_each_step(func, wrapper, begin, end):
    """``wrapper`` (a wrapper of generator, coroutine or async generator
    function ``func``) as a function of the same kind each of whose steps
    runs between ``token = begin()`` and ``end(token)`` (the line
    profiler's enable and disable); None for other functions."""
    kind = step_kind(func)
    if kind is None:
        return None
    from . import _wrap

    build = {'generator': _wrap._wrap_generator,
             'coroutine': _wrap._wrap_coroutine,
             'asyncgen': _wrap._wrap_async_generator}[kind]
    proxy = _PROXIES[kind]

    def inner(*args, **kwargs):
        return proxy(wrapper(*args, **kwargs), begin, end)

    return build(inner, None, _nothing, _nothing)
