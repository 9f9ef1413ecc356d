# _wrap.py: the function wrappers behind ProfileManager.profile
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Wrap a callable so each of its executions records a call of a region.

What is measured, by kind of function:

* plain functions, methods, static and class methods: one call per
  invocation, from entry to return or raise;
* generator functions: one call per *resumption* of the generator body
  (each ``next()``/``send()``/``throw()``/``close()`` that runs its code),
  from the moment the body resumes to the moment it yields, returns or
  raises. Creating the generator runs none of its code and records nothing;
  time the consumer spends between two items is not counted;
* ``async def`` coroutine functions: one call per invocation, from the
  moment the coroutine starts running (when it is first awaited or its
  task first runs, not when it is created) to the moment it returns or
  raises -- the time it spends awaiting is included (timed to settlement,
  as in gjs);
* async generator functions: one call per resumption, from the moment the
  body resumes to the moment it yields, returns or raises, awaits inside
  that step included.

Plain functions and generators nest on their thread's lane, last in first
out. Coroutine calls and async generator steps do not: they suspend, so
calls of other tasks run on the same thread while they are open. Each is
recorded as one interval when it ends (``record()``, sp_region_record())
on a *track*, a lane that is not a thread:

* by default, on one of its thread's async tracks ("<thread>: async <k>"):
  a call takes the first track of its thread that no open call holds and
  gives it back when it ends, so overlapping calls never share a lane and
  the tracks are as many as calls were open at once;
* with ``setup(track_async=True)``, on the track of its asyncio task,
  named after the task (``task.get_name()``; the async tracks above when no
  task runs it). The call's time is moreover split: the time the task held
  the thread (the coroutine's own steps: each ``send()``/``throw()`` into
  it, awaited coroutines' steps included) is recorded as one call of the
  region ``"<name> [held]"`` on the same track, starting with the call and
  as long as the held time; the rest, the call's self time, is the time it
  waited.

The hot path of each wrapper is: a call of the C ``enter``, the wrapped
function, a call of the C ``exit`` (``_scope_profiler_native``). For plain
functions the wrapper is itself written in C (``ProfiledFunction``: no
Python frame of its own); for the other kinds the region and the
enter/exit callables are closure variables, resolved once when the
function is decorated.
"""

import asyncio
import functools
import inspect
import threading
import types
import weakref

import _scope_profiler_native as _native

_local = threading.local()
# asyncio task -> its track (setup(track_async=True))
_task_tracks = weakref.WeakKeyDictionary()


class AsyncSettings:
    """A manager's ``setup(track_async=...)``, shared by its regions (as
    their ``_sp_async`` attribute), read by the coroutine wrappers."""

    __slots__ = ('on', '_manager')

    def __init__(self, manager):
        self.on = False
        self._manager = weakref.ref(manager)

    def held_region(self, name):
        manager = self._manager()
        return None if manager is None else manager.profile_region(name + ' [held]')


def wrap(func, region, enter, leave, profiled_function=None):
    """A wrapper of ``func`` recording into ``region``.

    ``enter``/``leave`` open and close a call of a region (the native
    ``enter``/``exit`` functions). ``profiled_function``, when given, is the
    native ``ProfiledFunction`` type, used for plain functions; without it
    they get a wrapper written in Python around ``enter``/``leave``.
    """
    if inspect.isgeneratorfunction(func):
        wrapper = _wrap_generator(func, region, enter, leave)
    elif inspect.iscoroutinefunction(func):
        wrapper = _wrap_coroutine(func, region, enter, leave)
    elif inspect.isasyncgenfunction(func):
        wrapper = _wrap_async_generator(func, region, enter, leave)
    elif profiled_function is not None:
        wrapper = profiled_function(func, region)
    else:
        wrapper = _wrap_function(func, region, enter, leave)

    try:
        return functools.wraps(func)(wrapper)
    except AttributeError:  # pragma: no cover - exotic callables
        return wrapper


def _wrap_function(func, region, enter, leave):
    def wrapper(*args, **kwargs):
        enter(region)
        try:
            return func(*args, **kwargs)
        finally:
            leave(region)
    return wrapper


def _async_tracks():
    """The free async tracks of the calling thread (a list, used as a stack)."""
    try:
        return _local.free
    except AttributeError:
        _local.free = []
        _local.made = 0
        return _local.free


def _take_track():
    free = _async_tracks()
    if free:
        return free.pop()
    _local.made += 1
    return _native.new_track('%s: async %d' % (threading.current_thread().name, _local.made))


def _task_track():
    """The track of the running asyncio task, or None outside a task."""
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return None
    if task is None:
        return None
    track = _task_tracks.get(task)
    if track is None:
        track = _task_tracks[task] = _native.new_track(task.get_name())
    return track


@types.coroutine
def _drive(awaitable, held):
    """``await awaitable``, adding the time spent in each of its steps to
    held[0]."""
    now = _native.get_current_time
    coro = awaitable.__await__()
    value, error = None, None
    while True:
        start = now()
        try:
            if error is None:
                signal = coro.send(value)
            else:
                signal = coro.throw(error)
        except StopIteration as stop:
            held[0] += now() - start
            return stop.value
        except BaseException:
            held[0] += now() - start
            raise
        held[0] += now() - start
        value, error = None, None
        try:
            value = yield signal
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:
            error = exc


def _wrap_coroutine(func, region, enter, leave):
    if region is None:
        # A wrapper that only keeps the kind of function (line profiling's
        # step wrappers): enter/leave around the awaiting.
        async def nested(*args, **kwargs):
            enter(region)
            try:
                return await func(*args, **kwargs)
            finally:
                leave(region)
        return nested

    record = _native.record
    now = _native.get_current_time

    async def wrapper(*args, **kwargs):
        # The body of this coroutine only runs once it is awaited, so the
        # call starts when the wrapped coroutine really starts.
        settings = region.__dict__.get('_sp_async')
        if settings is not None and settings.on:
            track = _task_track()
            if track is not None:
                held = [0]
                start = now()
                try:
                    return await _drive(func(*args, **kwargs), held)
                finally:
                    end = now()
                    record(region, track, start, end)
                    held_region = settings.held_region(region.name)
                    if held_region is not None:
                        record(held_region, track, start, start + min(held[0], end - start))
        track = _take_track()
        start = now()
        try:
            return await func(*args, **kwargs)
        finally:
            record(region, track, start, now())
            _async_tracks().append(track)
    return wrapper


def _wrap_generator(func, region, enter, leave):
    def wrapper(*args, **kwargs):
        gen = func(*args, **kwargs)

        # A hand-written 'yield from' that times each step of ``gen``.
        enter(region)
        try:
            value = next(gen)
        except StopIteration as stop:
            return stop.value
        finally:
            leave(region)

        while True:
            try:
                sent = yield value
            except GeneratorExit:
                enter(region)
                try:
                    gen.close()
                finally:
                    leave(region)
                raise
            except BaseException as exc:
                enter(region)
                try:
                    value = gen.throw(exc)
                except StopIteration as stop:
                    return stop.value
                finally:
                    leave(region)
            else:
                enter(region)
                try:
                    if sent is None:
                        value = next(gen)
                    else:
                        value = gen.send(sent)
                except StopIteration as stop:
                    return stop.value
                finally:
                    leave(region)
    return wrapper


def _wrap_async_generator(func, region, enter, leave):
    # Each step is a call on a free async track of its thread (see above).
    if region is None:
        return _wrap_async_generator_nested(func, region, enter, leave)
    record = _native.record
    now = _native.get_current_time

    async def step(awaitable):
        track = _take_track()
        start = now()
        try:
            return await awaitable
        finally:
            record(region, track, start, now())
            _async_tracks().append(track)

    async def wrapper(*args, **kwargs):
        agen = func(*args, **kwargs)

        try:
            value = await step(agen.__anext__())
        except StopAsyncIteration:
            return

        while True:
            try:
                sent = yield value
            except GeneratorExit:
                await step(agen.aclose())
                raise
            except BaseException as exc:
                try:
                    value = await step(agen.athrow(exc))
                except StopAsyncIteration:
                    return
            else:
                try:
                    value = await step(agen.asend(sent))
                except StopAsyncIteration:
                    return
    return wrapper


def _wrap_async_generator_nested(func, region, enter, leave):
    # enter/leave around each step: for wrappers that only keep the kind of
    # function (region None, line profiling's step wrappers).
    async def wrapper(*args, **kwargs):
        agen = func(*args, **kwargs)

        enter(region)
        try:
            value = await agen.__anext__()
        except StopAsyncIteration:
            return
        finally:
            leave(region)

        while True:
            try:
                sent = yield value
            except GeneratorExit:
                enter(region)
                try:
                    await agen.aclose()
                finally:
                    leave(region)
                raise
            except BaseException as exc:
                enter(region)
                try:
                    value = await agen.athrow(exc)
                except StopAsyncIteration:
                    return
                finally:
                    leave(region)
            else:
                enter(region)
                try:
                    value = await agen.asend(sent)
                except StopAsyncIteration:
                    return
                finally:
                    leave(region)
    return wrapper
