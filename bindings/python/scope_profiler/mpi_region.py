# mpi_region.py: one region over the ranks of a session
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""One region over the ranks that called it.

As in the Python scope-profiler package: ``regions`` maps each rank that
has the region to its :class:`~scope_profiler.region.Region`; the
per-rank and overall ``*_duration`` values are in nanoseconds and
``first_start_time`` is in seconds. ``color`` is ``None`` until a plot
assigns the region a ``#rrggbb`` color.
"""

import numpy as np

import _scope_profiler_native as _native

from .region import Region

__all__ = ['MPIRegion']

_STAT_KEYS = ('count', 'total', 'mean', 'min', 'max', 'std')


class MPIRegion:
    """``MPIRegion(name, regions)``: ``regions`` is ``{rank: Region}``."""

    def __init__(self, name, regions):
        self._name = name
        self._regions = regions
        self.color = None
        self._session = None
        self._region = None
        self._stats = {}

    @classmethod
    def _from_session(cls, session, name, region, ranks):
        self = cls(name, {rank: Region._from_session(session, region, rank) for rank in ranks})
        self._session = session
        self._region = region
        return self

    @property
    def name(self):
        """The region's name."""
        return self._name

    @property
    def regions(self):
        """``{rank: Region}`` for the ranks that have this region."""
        return self._regions

    def __getitem__(self, rank):
        return self._regions[rank]

    def average_durations(self):
        """``{rank: mean duration in ns}``."""
        return {rank: region.average_duration for rank, region in self._regions.items()}

    def min_durations(self):
        """``{rank: shortest duration in ns}``."""
        return {rank: region.min_duration for rank, region in self._regions.items()}

    def max_durations(self):
        """``{rank: longest duration in ns}``."""
        return {rank: region.max_duration for rank, region in self._regions.items()}

    @property
    def min_duration(self):
        """The shortest duration over all ranks, ns."""
        if not self._regions:
            return 0.0
        return min(region.min_duration for region in self._regions.values())

    @property
    def max_duration(self):
        """The longest duration over all ranks, ns."""
        if not self._regions:
            return 0.0
        return max(region.max_duration for region in self._regions.values())

    @property
    def first_start_time(self):
        """The earliest start over all ranks, seconds; ranks where the
        region has no calls do not count (0.0 if it has none at all)."""
        starts = [region.first_start_time for region in self._regions.values()
                  if region.num_calls > 0]
        return min(starts) if starts else 0.0

    def _statistics(self, ranks=None):
        """Duration statistics pooled over ``ranks`` (``None``: every rank
        that has the region; ranks without it are ignored), computed by the
        library: ``count`` (int) and ``total``, ``mean``, ``min``, ``max``,
        ``std`` (ns floats, population standard deviation)."""
        if ranks is None:
            selected = sorted(self._regions)
        else:
            wanted = {int(rank) for rank in ranks}
            selected = sorted(rank for rank in self._regions if rank in wanted)

        key = tuple(selected)
        stats = self._stats.get(key)
        if stats is None:
            if len(selected) == 1:
                stats = self._regions[selected[0]]._statistics()
            elif self._session is not None:
                stats = self._session.stats(self._region, None if ranks is None else list(selected))
            else:
                parts = [self._regions[rank] for rank in selected]
                if parts:
                    starts = np.concatenate([part.start_times for part in parts])
                    ends = np.concatenate([part.end_times for part in parts])
                else:
                    starts = ends = np.empty(0, dtype=np.int64)
                stats = _native.interval_stats(starts, ends)
            self._stats[key] = stats

        return {name: (int(stats[name]) if name == 'count' else float(stats[name]))
                for name in _STAT_KEYS}

    def __repr__(self):
        return '<MPIRegion %r ranks=%s>' % (self._name, sorted(self._regions))
