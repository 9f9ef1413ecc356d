# ScopeProfiler.py: PyGObject override for the ScopeProfiler namespace
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Pythonic additions to ``gi.repository.ScopeProfiler``.

* :class:`Region` is a context manager (``with region:``), reusable and
  nestable, and has ``num_calls``/``name`` as plain attributes and numpy
  accessors for the buffered calls.
* :meth:`ProfileManager.get_all_regions` always returns a :class:`dict`.

The per-call path of ``with region:`` is ``Region.__enter__`` and
``__exit__`` written in C (the ``_scope_profiler_native`` module of the
scope_profiler package, built and installed beside this override) calling
``sp_region_enter()`` and ``sp_region_exit()`` directly, without
PyGObject's invocation; only that per-call path is taken from the module,
not the package's Manager and Region types. Without that
module, or with ``SCOPE_PROFILER_PYTHON_NATIVE=0`` in the environment, it is
one Python frame per side around the GI call, the GI callables resolved once
when this module loads: the same C functions, the same behaviour, slower.
numpy is imported the first time a numpy accessor is used, so it stays
optional for everything else.
"""

import os

from ..module import get_introspection_module
from ..overrides import override

ScopeProfiler = get_introspection_module('ScopeProfiler')

__all__ = []


def _load_native():
    """The _scope_profiler_native module, or None (and why not)."""
    if os.environ.get('SCOPE_PROFILER_PYTHON_NATIVE') == '0':
        return None, 'SCOPE_PROFILER_PYTHON_NATIVE=0'
    try:
        import _scope_profiler_native as native
    except ImportError as error:
        return None, 'not importable: %s' % (error,)
    # It links the library itself: it must have found the same one as GI
    # (otherwise SpRegion would be two types and no region would pass).
    # region_gtype is the GType as an int; PyGObject hashes a GType wrapper
    # to its value.
    if getattr(native, 'region_gtype', None) != hash(ScopeProfiler.Region.__gtype__):
        return None, 'linked to another libscope-profiler than the typelib\'s'
    return native, None


# Used by the scope_profiler package too (the decorator's wrapper).
_native, _native_unavailable = _load_native()

if _native is not None:
    _region_enter = _native.enter
    _region_exit = _native.exit
else:
    # Resolved once: calling the unbound GI callables skips a descriptor
    # lookup and a bound-method allocation on every call.
    _region_enter = ScopeProfiler.Region.enter
    _region_exit = ScopeProfiler.Region.exit
_region_get_num_calls = ScopeProfiler.Region.get_num_calls
_region_get_name = ScopeProfiler.Region.get_name

_numpy = None


def _int64_array(gbytes):
    """A writable numpy int64 array holding the values of ``gbytes``.

    One copy of the native-endian buffer, no per-element Python work.
    """
    global _numpy
    if _numpy is None:
        import numpy
        _numpy = numpy
    data = gbytes.get_data() if gbytes is not None else None
    if not data:
        return _numpy.empty(0, dtype=_numpy.int64)
    # bytearray: the array owns writable memory, as the Python package's do.
    return _numpy.frombuffer(bytearray(data), dtype=_numpy.int64)


class Region(ScopeProfiler.Region):
    """A named interval of code; ``with region:`` records one call.

    The same object may be entered any number of times, nested, recursed
    and used from several threads at once: each thread records its own
    calls.
    """

    if _native is not None:
        # C functions bound like methods: no Python frame per call.
        __enter__ = _native.region_enter_method
        __exit__ = _native.region_exit_method
    else:
        def __enter__(self):
            """Open a call of the region on this thread; returns the region."""
            _region_enter(self)
            return self

        def __exit__(self, exc_type, exc_value, traceback):
            """Close the innermost open call of the region on this thread;
            returns False, so an exception raised in the with block
            propagates."""
            _region_exit(self)
            return False

    num_calls = property(_region_get_num_calls,
                         doc='Completed calls in the current session, all threads.')
    name = property(_region_get_name, doc='The name of the region.')
    # The Python scope-profiler package's spelling.
    region_name = name

    def get_durations_numpy(self):
        """Durations (ns) of the buffered, not yet flushed, calls as int64."""
        return _int64_array(self.get_durations())

    def get_start_times_numpy(self):
        """Start times (CLOCK_MONOTONIC ns, the clock of
        :func:`time.perf_counter_ns`) of the buffered calls as int64."""
        return _int64_array(self.get_start_times())

    def get_end_times_numpy(self):
        """End times (CLOCK_MONOTONIC ns) of the buffered calls as int64."""
        return _int64_array(self.get_end_times())

    def get_thread_ids_numpy(self):
        """Thread ids (small integers, per session) of the buffered calls."""
        return _int64_array(self.get_thread_ids())

    def __repr__(self):
        return '<ScopeProfiler.Region %r num_calls=%d>' % (self.get_name(), self.get_num_calls())


Region = override(Region)
__all__.append('Region')


class ProfileManager(ScopeProfiler.ProfileManager):

    def get_all_regions(self):
        """The regions of the current session as a ``dict`` name → region,
        in the order they joined the session."""
        model = self.get_regions()
        get_item = model.get_item
        return {region.get_name(): region
                for region in map(get_item, range(model.get_n_items()))}


ProfileManager = override(ProfileManager)
__all__.append('ProfileManager')
