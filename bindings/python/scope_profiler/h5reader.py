# h5reader.py: saved sessions, read by the ScopeProfiler library
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Reading saved sessions, as the Python scope-profiler package's
``scope_profiler.h5reader`` does::

    from scope_profiler.h5reader import ProfilingH5Reader

    reader = ProfilingH5Reader("profiling_data.h5")
    for region in reader.get_regions(include="solve"):
        print(region.name, region.average_durations())  # {rank: ns}

The file is read by the library's ``SpSession``: files this library writes
and those of the Python package (schemas 1, 2 and 3). Arrays are
read-only views of the library's memory, not copies; statistics are the
library's. A missing file raises :class:`FileNotFoundError`, a file that is
not a valid session :class:`SessionError` (an :class:`OSError`) saying
what is wrong and where.
"""

import errno
import os
import re
from pathlib import Path

import numpy as np

import _scope_profiler_native as _native

from .mpi_region import MPIRegion

__all__ = ['ProfilingH5Reader', 'SessionError']

SessionError = _native.SessionError


def _patterns(patterns):
    if patterns is None:
        return None
    if isinstance(patterns, (str, bytes, re.Pattern)):
        patterns = [patterns]
    return [re.compile(pattern) for pattern in patterns]


def _metadata_value(value):
    # What h5py gives for the attributes of /metadata.
    if isinstance(value, int):
        return np.int64(value)
    if isinstance(value, float):
        return np.float64(value)
    return value


class ProfilingH5Reader:
    """A saved session: ``ProfilingH5Reader(file_path, verbose=False)``."""

    def __init__(self, file_path, verbose=False):
        self._file_path = Path(file_path)
        self._verbose = verbose

        if not self._file_path.exists():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(self._file_path))

        self._session = _native.Session(os.fspath(self._file_path))
        session = self._session

        self._metadata = {key: _metadata_value(value) for key, value in session.metadata().items()}
        # Every rank group counts, with or without regions (spec).
        self._ranks = session.file_ranks()
        self._region_names = session.region_names()

        # Name order, like HDF5's; get_regions() sorts by first start. A
        # region is on every rank the file has it on, also those where it
        # has no calls (as the package reads empty datasets).
        self._regions = {}
        for index, name in enumerate(self._region_names):
            self._regions[name] = MPIRegion._from_session(session, name, index,
                                                          session.region_file_ranks(index))

        if verbose:
            print('Read %s: %d rank(s), %d region(s)'
                  % (self._file_path, self.num_ranks, len(self._regions)))

    @property
    def file_path(self):
        """The file, as a :class:`pathlib.Path`."""
        return self._file_path

    @property
    def metadata(self):
        """The run's metadata (``{}`` if the file has none)."""
        return self._metadata

    @property
    def num_ranks(self):
        """The number of ranks in the file."""
        return len(self._ranks)

    @property
    def minimum_start_time(self):
        """The earliest start of any call, in seconds (0.0 without calls)."""
        starts = [region.first_start_time for region in self._regions.values()
                  if any(r.num_calls > 0 for r in region.regions.values())]
        return min(starts) if starts else 0.0

    def get_region(self, region_name):
        """The :class:`MPIRegion` of ``region_name`` (:class:`KeyError` if
        the file has no such region)."""
        return self._regions[region_name]

    def get_regions(self, include=None, exclude=None):
        """The regions as a list sorted by earliest start. ``include`` and
        ``exclude`` are a regular expression or a list of them, matched at
        the start of the name (:func:`re.match`): a region is kept if it
        matches any ``include`` (all are without one), then dropped if it
        matches any ``exclude``."""
        includes = _patterns(include)
        excludes = _patterns(exclude)

        selected = []
        for name, region in self._regions.items():
            if includes is not None and not any(p.match(name) for p in includes):
                continue
            if excludes is not None and any(p.match(name) for p in excludes):
                continue
            selected.append(region)

        return sorted(selected, key=lambda region: region.first_start_time)

    def _lanes(self, rank=None):
        """The library's nesting of the calls of a rank (all ranks with
        ``None``), one dict per lane (a thread of a rank): ``rank``,
        ``thread`` (-1 if unknown), and numpy arrays over every call of the
        lane sorted by start: ``regions`` (uint32 index into
        ``region_names``), ``start_times``, ``end_times`` (int64 ns),
        ``depths`` (uint32, 0 at top level), ``parents`` (int64 index of
        the enclosing call in the lane, -1 for none)."""
        lanes = []
        for lane_rank, thread, regions, starts, ends, depths, parents in self._session.lanes(rank):
            lanes.append({
                'rank': lane_rank,
                'thread': thread,
                'region_names': self._region_names,
                'regions': np.frombuffer(regions, dtype=np.uint32),
                'start_times': np.frombuffer(starts, dtype=np.int64),
                'end_times': np.frombuffer(ends, dtype=np.int64),
                'depths': np.frombuffer(depths, dtype=np.uint32),
                'parents': np.frombuffer(parents, dtype=np.int64),
            })
        return lanes

    def __repr__(self):
        return '<ProfilingH5Reader %s: %d rank(s), %d region(s)>' % (
            self._file_path, self.num_ranks, len(self._regions))
