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

A region's calls nest per thread, last in first out. Coroutines of the same
region that overlap on one event loop therefore pair start and end times in
LIFO order: counts and the total time are exact, but two overlapping calls
may exchange their individual durations.

The hot path of each wrapper is: a call of the C ``enter``, the wrapped
function, a call of the C ``exit`` (``_scope_profiler_native``). For plain
functions the wrapper is itself written in C (``ProfiledFunction``: no
Python frame of its own); for the other kinds the region and the
enter/exit callables are closure variables, resolved once when the
function is decorated.
"""

import functools
import inspect


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


def _wrap_coroutine(func, region, enter, leave):
    async def wrapper(*args, **kwargs):
        # The body of this coroutine only runs once it is awaited, so the
        # region opens when the wrapped coroutine really starts.
        enter(region)
        try:
            return await func(*args, **kwargs)
        finally:
            leave(region)
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
