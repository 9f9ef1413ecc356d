# profile_config.py: the settings of a session, as ProfileManager.get_config() returns them
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""``ProfilingConfig``: a read-only snapshot of a session's settings."""

__all__ = ['ProfilingConfig']


class ProfilingConfig:
    """The settings of a session when :meth:`ProfileManager.get_config` was
    called, under the Python names of ``setup()``'s keywords.

    ``enabled`` (alias ``profiling_activated``), ``time_trace``,
    ``flush_to_disk``, ``buffer_limit``, ``file_path``, ``verbose`` (the
    summary is printed at finalize), ``rank``, ``size`` and
    ``merge_timeout`` (-1/-1/120 unless the library was set up with others),
    the Python package's features (``use_likwid``, ``use_line_profiler``,
    ``recursive_profile``: whether ``setup()`` switched them on), and
    ``config_creation_time``: when the session started (int ns, the clock
    of :func:`time.perf_counter_ns`), the origin of the regions'
    ``get_start_times_numpy()``/``get_end_times_numpy()`` as in the Python
    package.
    """

    __slots__ = ('enabled', 'time_trace', 'flush_to_disk', 'buffer_limit', 'file_path',
                 'verbose', 'rank', 'size', 'merge_timeout', 'use_likwid',
                 'use_line_profiler', 'recursive_profile', 'config_creation_time')

    def __init__(self, settings, **overrides):
        for name in self.__slots__:
            object.__setattr__(self, name, False)
        for name, value in dict(settings, **overrides).items():
            if name in self.__slots__:
                object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError('ProfilingConfig is read-only: pass %s to setup()' % (name,))

    @property
    def profiling_activated(self):
        """The Python package's name of ``enabled``."""
        return self.enabled

    def as_dict(self):
        """The settings as a dict."""
        return {name: getattr(self, name) for name in self.__slots__}

    def __eq__(self, other):
        if not isinstance(other, ProfilingConfig):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    __hash__ = None

    def __repr__(self):
        return 'ProfilingConfig(%s)' % ', '.join('%s=%r' % item for item in self.as_dict().items())
