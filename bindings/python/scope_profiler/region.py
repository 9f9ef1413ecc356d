# region.py: the calls of one region on one rank, read back
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The calls of one region on one rank.

As in the Python scope-profiler package: ``start_times`` and ``end_times``
are int64 nanosecond arrays, ``durations`` and ``first_start_time`` are in
seconds, and the ``*_duration`` statistics are in nanoseconds (floats; the
standard deviation is the population one).

The statistics are those of the ScopeProfiler library (``SpRegionStats``),
for regions read from a file and for arrays given to :class:`Region`
alike. Arrays read from a file are read-only views of the library's
memory: copy them (``region.start_times.copy()``) to modify them.
"""

import numpy as np

import _scope_profiler_native as _native

__all__ = ['Region']

_NS_PER_SECOND = 1e9


def _int64_array(values):
    array = np.ascontiguousarray(values, dtype=np.int64)
    if array.ndim != 1:
        array = array.reshape(-1)
    return array


class Region:
    """The calls of one region on one rank: ``Region(start_times, end_times)``,
    both in nanoseconds."""

    def __init__(self, start_times, end_times):
        self._start_times = _int64_array(start_times)
        self._end_times = _int64_array(end_times)
        if self._start_times.shape != self._end_times.shape:
            raise ValueError('%d start times but %d end times'
                             % (self._start_times.size, self._end_times.size))
        self._stats = None
        self._sorted = False
        self._session = None

    @classmethod
    def _from_session(cls, session, region, rank):
        """A region of a native session; its arrays and statistics are
        fetched from the library when first used."""
        self = cls.__new__(cls)
        self._session = session
        self._region = region
        self._rank = rank
        self._start_times = None
        self._end_times = None
        self._stats = None
        self._sorted = True
        return self

    def _load(self):
        starts, ends = self._session.intervals(self._region, self._rank)
        self._start_times = np.frombuffer(starts, dtype=np.int64)
        self._end_times = np.frombuffer(ends, dtype=np.int64)

    def _statistics(self):
        """The library's statistics: count (int); total, mean, min, max,
        std, median, p90, p99 (ns, floats)."""
        if self._stats is None:
            if self._session is not None:
                self._stats = self._session.stats(self._region, [self._rank])
            else:
                self._stats = _native.interval_stats(self._start_times, self._end_times)
        return self._stats

    @property
    def start_times(self):
        """Start times of the calls, int64 nanoseconds."""
        if self._start_times is None:
            self._load()
        return self._start_times

    @property
    def end_times(self):
        """End times of the calls, int64 nanoseconds."""
        if self._end_times is None:
            self._load()
        return self._end_times

    @property
    def durations(self):
        """Durations of the calls, in seconds."""
        return (self.end_times - self.start_times) / _NS_PER_SECOND

    @property
    def first_start_time(self):
        """The earliest start, in seconds; 0.0 without calls."""
        starts = self.start_times
        if starts.size == 0:
            return 0.0
        if self._sorted:
            return float(starts[0]) / _NS_PER_SECOND
        return float(starts.min()) / _NS_PER_SECOND

    @property
    def num_calls(self):
        """The number of calls."""
        return int(self._statistics()['count'])

    @property
    def total_duration(self):
        """Total duration, ns."""
        return float(self._statistics()['total'])

    @property
    def average_duration(self):
        """Mean duration, ns (0.0 without calls)."""
        return float(self._statistics()['mean'])

    @property
    def min_duration(self):
        """Shortest duration, ns (0.0 without calls)."""
        return float(self._statistics()['min'])

    @property
    def max_duration(self):
        """Longest duration, ns (0.0 without calls)."""
        return float(self._statistics()['max'])

    @property
    def std_duration(self):
        """Population standard deviation of the durations, ns."""
        return float(self._statistics()['std'])

    def get_summary(self):
        """``num_calls`` and the five duration statistics (ns)."""
        return {
            'num_calls': self.num_calls,
            'total_duration': self.total_duration,
            'average_duration': self.average_duration,
            'min_duration': self.min_duration,
            'max_duration': self.max_duration,
            'std_duration': self.std_duration,
        }

    def __repr__(self):
        return '<Region num_calls=%d total_duration=%g ns>' % (self.num_calls, self.total_duration)
