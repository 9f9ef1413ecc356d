#!/usr/bin/python3
# bench-reader.py: scope_profiler.h5reader against SpSession's own load
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""ProfilingH5Reader of a 10-million-interval session against SpSession.

Target (the reader against the library's own load), measured in this one run, interleaved over repeats:

* ``ProfilingH5Reader(path)`` plus touching every region's start and end
  arrays on every rank (``region.start_times``, ``region.end_times``, as
  numpy arrays) <= 1.5 x SpSession's own load of the same file
  (``_scope_profiler_native.Session(path)``: sp_session_load() and
  nothing else).

Two files of 10 million intervals each, written here with h5py: the Python
package's schema-1 layout (10 regions, two ranks, one thread each) and
ours (10 regions on one rank, two threads, thread_ids per region: the
reader merges each rank's threads by start time, a copy). In both, region
0 holds nine nested calls, one of each other region, as in bench-read.

Run through ``meson devenv -C BUILD``.
"""

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time

import h5py
import numpy as np

N_REGIONS = 10
TARGET = 1.5


def intervals(n_iterations, base):
    """Starts and ends of the 10 regions over n_iterations outer calls."""
    outer = base + np.arange(n_iterations, dtype=np.int64) * 1000
    result = [(outer, outer + 900)]
    for k in range(1, N_REGIONS):
        s = outer + 10 + (k - 1) * 95
        result.append((s, s + 50))
    return result


def write_python_schema1(path, n_total):
    n_ranks = 2
    per = n_total // N_REGIONS // n_ranks
    with h5py.File(path, 'w') as f:
        f.create_group('metadata').attrs['mpi_size'] = np.int64(n_ranks)
        for rank in range(n_ranks):
            for k, (s, e) in enumerate(intervals(per, 10**12 + rank * 7)):
                g = f.require_group('rank%d/regions/region-%d' % (rank, k))
                g.create_dataset('start_times', data=s, maxshape=(None,), chunks=(1024,))
                g.create_dataset('end_times', data=e, maxshape=(None,), chunks=(1024,))


def write_native_threads(path, n_total):
    n_threads = 2
    per = n_total // N_REGIONS // n_threads
    with h5py.File(path, 'w') as f:
        f.attrs['scope_profiler_schema'] = np.int64(1)
        f.create_group('metadata').attrs['mpi_size'] = np.int64(1)
        per_thread = [intervals(per, 10**12 + t * 333) for t in range(n_threads)]
        for k in range(N_REGIONS):
            g = f.require_group('rank0/regions/region-%d' % k)
            g.attrs['name'] = 'region-%d' % k
            s = np.concatenate([per_thread[t][k][0] for t in range(n_threads)])
            e = np.concatenate([per_thread[t][k][1] for t in range(n_threads)])
            tid = np.repeat(np.arange(n_threads, dtype=np.int64), per)
            g.create_dataset('start_times', data=s, chunks=True)
            g.create_dataset('end_times', data=e, chunks=True)
            g.create_dataset('thread_ids', data=tid, chunks=True)


def time_load(native, path):
    gc.collect()
    t0 = time.perf_counter()
    session = native.Session(path)
    t1 = time.perf_counter()
    del session
    return t1 - t0


def time_reader(reader_cls, path):
    gc.collect()
    t0 = time.perf_counter()
    reader = reader_cls(path)
    n = 0
    for region in reader.get_regions():
        for rank_region in region.regions.values():
            n += rank_region.start_times.size + rank_region.end_times.size
    t1 = time.perf_counter()
    del reader
    return t1 - t0, n // 2


def report(what, values, unit, target=None):
    lo, med = min(values), statistics.median(values)
    line = '%-50s min %8.3f  median %8.3f %-3s' % (what, lo, med, unit)
    met = True
    if target is not None:
        met = med <= target
        line += '  target <= %.2f: %s' % (target, 'MET' if met else 'NOT MET')
    print(line, flush=True)
    return met


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='a few seconds, for a smoke test')
    parser.add_argument('--intervals', type=int, default=None)
    parser.add_argument('--repeats', type=int, default=None)
    parser.add_argument('--dir', default=None, help='where the session files go')
    args = parser.parse_args()

    n_total = args.intervals or (200_000 if args.quick else 10_000_000)
    repeats = args.repeats or (2 if args.quick else 5)

    import _scope_profiler_native as native
    from scope_profiler.h5reader import ProfilingH5Reader

    with tempfile.TemporaryDirectory(dir=args.dir, prefix='sp-bench-reader-') as tmp:
        files = {
            'Python schema 1, 2 ranks': os.path.join(tmp, 'python-schema1.h5'),
            'ours, 2 threads on a rank': os.path.join(tmp, 'native-threads.h5'),
        }
        write_python_schema1(files['Python schema 1, 2 ranks'], n_total)
        write_native_threads(files['ours, 2 threads on a rank'], n_total)
        print('bench-reader: %d intervals per file, %d repeats' % (n_total, repeats), flush=True)

        ok = True
        for label, path in files.items():
            loads, reads, ratios = [], [], []
            # one warm-up of each: page cache, first-touch of the allocator
            time_load(native, path)
            time_reader(ProfilingH5Reader, path)
            for _ in range(repeats):
                load = time_load(native, path)
                read, n = time_reader(ProfilingH5Reader, path)
                assert n == n_total, (n, n_total)
                loads.append(load)
                reads.append(read)
                ratios.append(read / load)
            print('--', label)
            report('SpSession load', loads, 's')
            report('ProfilingH5Reader + every start/end array', reads, 's')
            ok &= report('ratio (%s)' % label, ratios, 'x', TARGET)
            # Less sensitive to other jobs on the machine: best against best.
            print('%-50s %8.3f x' % ('  min reader / min load', min(reads) / min(loads)), flush=True)

    print('\nbench-reader: %s' % ('all targets MET' if ok else 'some targets NOT MET'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
