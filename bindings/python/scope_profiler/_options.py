# _options.py: the keywords of ProfileManager.setup()
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Translate ``setup(**options)`` keywords into the settings of a session
(the keywords of ``_scope_profiler_native.Manager.setup()``).

Three kinds of keywords are accepted:

* the options this library implements, under their Python names
  (``enabled``/``profiling_activated``, ``time_trace``, ``flush_to_disk``,
  ``buffer_limit``, ``file_path``, ``verbose``) and under the Python
  package's negative spellings (``deactivate_profiling``,
  ``deactivate_file_output``);
* settings that only annotate the run (``label``, recorded as metadata) or
  that describe what this library always does (``output_mode``);
* ``track_threads`` and ``track_async``, handed back as booleans in
  ``extras`` (see :mod:`scope_profiler._wrap`);
* the Python package's other features, accepted while they are switched
  off so existing calls run unchanged, and refused with
  :class:`UnsupportedOptionError` when one is switched on -- except the
  features listed in ``available`` (see :data:`FEATURES`), which
  :func:`parse` hands back to the caller to switch on.

Any other keyword is a :class:`TypeError` that names the closest valid one.
"""

import difflib
import os


class UnsupportedOptionError(NotImplementedError):
    """A setup() option of the Python scope-profiler package was switched on
    that this implementation does not provide."""


def _off(value):
    """The 'switched off' test for features we do not have: False, None,
    0 or an empty collection."""
    return not value


def _off_or(*allowed):
    def check(value):
        return value is None or value in allowed
    return check


# name -> (test that the value asks for nothing we lack, why we lack it)
_UNSUPPORTED = {
    'use_likwid': (_off, 'LIKWID hardware counters need pylikwid, which this '
                         'implementation does not drive'),
    'use_line_profiler': (_off, 'line-by-line profiling is only available in '
                                'the Python scope-profiler package'),
    'recursive_profile': (_off, 'recursive profiling of every Python call is '
                                'not implemented; decorate the functions to time'),
    'use_memray': (_off, 'Memray allocation tracking is not implemented'),
    'memory_profile_path': (_off, 'Memray allocation tracking is not implemented'),
    'memray_native_traces': (_off, 'Memray allocation tracking is not implemented'),
    'memray_trace_python_allocators': (_off, 'Memray allocation tracking is not implemented'),
    'memray_follow_fork': (_off, 'Memray allocation tracking is not implemented'),
    'perf_events': (_off, 'perf_event_open counters are not implemented'),
    'use_nvtx': (_off, 'NVTX ranges are not implemented'),
    'use_gpu_timing': (_off, 'CUDA-event GPU timing is not implemented'),
    'gpu_sync_on_exit': (_off, 'CUDA-event GPU timing is not implemented'),
    'gpu_timing_backend': (_off_or('auto'), 'CUDA-event GPU timing is not implemented'),
    'aggregation_mode': (_off, 'aggregation mode is not implemented; use '
                               'time_trace=False to count calls only'),
    'profile_mpi_calls': (_off, 'MPI is not supported: a session is one process'),
    'capture_region_source': (_off, 'region source capture is not implemented'),
    'metadata_detail': (_off_or('minimal'), 'only the minimal run metadata is recorded'),
    'hdf5_compression': (_off, 'the session file is written uncompressed'),
    'hdf5_compression_level': (_off_or(), 'the session file is written uncompressed'),
    'hdf5_chunk_size': (_off_or(), 'the chunk size of the session file is fixed'),
    'config_path': (_off, 'configuration files are not read; pass the options '
                          'as keywords'),
}

# Accepted with any value: what they ask for is what this library does.
_ALWAYS = {
    'output_mode',     # one process writes one file
}

# Handed back in extras as booleans.
_TRACKING = {'track_threads', 'track_async'}

# Features of the Python package that ProfileManager may provide (see
# ProfileManager._FEATURES_AVAILABLE and ProfileManager._enable_features):
# when one of them is switched on and available, parse() returns it in
# extras['features'] instead of refusing it.
FEATURES = ('recursive_profile', 'use_line_profiler', 'use_likwid')

# Implemented: name -> (Manager.setup() keyword, invert?)
_SUPPORTED = {
    'enabled': ('enabled', False),
    'profiling_activated': ('enabled', False),
    'deactivate_profiling': ('enabled', True),
    'time_trace': ('time_trace', False),
    'flush_to_disk': ('flush_to_disk', False),
    'deactivate_file_output': ('flush_to_disk', True),
    'buffer_limit': ('buffer_limit', False),
    'file_path': ('file_path', False),
    'verbose': ('verbose', False),
}

# The library's largest buffer (SpConfig:buffer-limit).
_MAX_BUFFER_LIMIT = 0x7FFFFFFF

# Not config properties, handled by the manager.
_EXTRA = {'label'}

VALID_OPTIONS = (frozenset(_SUPPORTED) | frozenset(_UNSUPPORTED) | _ALWAYS | _EXTRA
                 | _TRACKING)


def unknown_keyword_error(function, name, valid=VALID_OPTIONS):
    close = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.5)
    message = '%s() got an unexpected keyword argument %r' % (function, name)
    if close:
        message += '; did you mean %r?' % close[0]
    return TypeError(message)


def _coerce_bool(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    raise TypeError('%s must be a bool, not %s' % (name, type(value).__name__))


def unsupported_error(function, name, value):
    """The :class:`UnsupportedOptionError` of ``function(name=value)``."""
    why = _UNSUPPORTED[name][1]
    return UnsupportedOptionError('%s(%s=%r) is not supported: %s. Leave it at its default.'
                                  % (function, name, value, why))


def parse(options, function='setup', available=()):
    """Validate ``options``; return ``(properties, extras)``.

    ``properties`` maps ``Manager.setup()`` keywords to values, ``extras``
    holds the options handled outside the library's config: ``label``,
    ``track_threads`` and ``track_async`` (when given), and
    ``features``, a dict of the switched-on :data:`FEATURES` named in
    ``available`` (the others are refused here).
    """
    properties = {}
    origin = {}
    extras = {}

    for name, value in options.items():
        if name in _SUPPORTED:
            prop, invert = _SUPPORTED[name]
            if prop == 'buffer_limit':
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError('buffer_limit must be an int, not %s'
                                    % type(value).__name__)
                if not 1 <= value <= _MAX_BUFFER_LIMIT:
                    raise ValueError('buffer_limit must be between 1 and %d, not %d'
                                     % (_MAX_BUFFER_LIMIT, value))
            elif prop == 'file_path':
                try:
                    value = os.fspath(value)
                except TypeError:
                    raise TypeError('file_path must be a str or os.PathLike, not %s'
                                    % type(value).__name__) from None
                if isinstance(value, bytes):
                    value = os.fsdecode(value)
                if not value:
                    raise ValueError('file_path must not be empty')
            else:
                value = _coerce_bool(name, value)
                if invert:
                    value = not value
            if prop in properties and properties[prop] != value:
                raise ValueError('%s=%r contradicts %s=%r'
                                 % (name, options[name], origin[prop], options[origin[prop]]))
            properties[prop] = value
            origin[prop] = name
        elif name in _UNSUPPORTED:
            is_off, why = _UNSUPPORTED[name]
            if not is_off(value):
                if name not in available:
                    raise unsupported_error(function, name, value)
                extras.setdefault('features', {})[name] = value
        elif name in _ALWAYS:
            pass
        elif name in _TRACKING:
            extras[name] = _coerce_bool(name, value)
        elif name == 'label':
            if value is not None and not isinstance(value, str):
                raise TypeError('label must be a str, not %s' % type(value).__name__)
            extras['label'] = value
        else:
            raise unknown_keyword_error(function, name)

    return properties, extras
