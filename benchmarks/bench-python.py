#!/usr/bin/python3
# bench-python.py: per-call overhead of the Python bindings, side by side
# with the floor of a pure-Python recorder.
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Per-call overhead of ``@ProfileManager.profile`` and ``with region:``.

Targets (Python per-call overhead), all measured in this one run, interleaved
over repeats:

* the overhead of ``@ProfileManager.profile`` and of ``with region:``
  (region fetched once) <= 2.0 x the floor of a pure-Python recorder:
  two ``time.perf_counter_ns()`` calls stored into preallocated numpy
  arrays;
* ``with ProfileManager.profile_region("name"):`` in a loop (lookup on
  every call) <= 1.5 x the fetched-once form;
* with ``--reference PATH`` (a checkout of the pure-Python scope-profiler
  package, run in a child process since both are called scope_profiler):
  both forms <= 0.35 x the reference's overhead in its TimeOnly mode
  (``TimeOnlyProfileRegion``: the default of current releases, whose
  ``setup()`` has no ``time_trace``/``flush_to_disk``; ``time_trace=True``
  in older ones, where ``time_trace=False`` means count-only).

Overhead per call = (time of the loop with profiling - time of the same
loop without it) / calls. The reference runs in a child process that stays
up for the whole run and measures one repeat each time it is asked, right
after each of our repeats: repeat i of ours and of the reference see the
same machine, and the ratios are taken pair by pair.

Run through ``meson devenv -C BUILD`` (or with GI_TYPELIB_PATH,
LD_LIBRARY_PATH and PYTHONPATH set as meson sets them). The first line
says which path the per-call code takes: ``native`` (the
_scope_profiler_native extension) or ``gi`` (PyGObject's invocation; forced
with SCOPE_PROFILER_PYTHON_NATIVE=0).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

perf_counter_ns = time.perf_counter_ns


# ----------------------------------------------------------------------
# The loops. Each profiled loop has an unprofiled twin doing the same
# Python work, so the difference is what profiling adds.

def loop_empty(n):
    t0 = perf_counter_ns()
    for _ in range(n):
        pass
    return perf_counter_ns() - t0


def loop_call(n, func):
    t0 = perf_counter_ns()
    for _ in range(n):
        func()
    return perf_counter_ns() - t0


def loop_with(n, region):
    t0 = perf_counter_ns()
    for _ in range(n):
        with region:
            pass
    return perf_counter_ns() - t0


def loop_lookup(n, manager_cls):
    t0 = perf_counter_ns()
    for _ in range(n):
        with manager_cls.profile_region("lookup"):
            pass
    return perf_counter_ns() - t0


def loop_floor(n, starts, ends):
    # The pure-Python recorder: two clock reads into preallocated arrays.
    pc = perf_counter_ns
    t0 = pc()
    for i in range(n):
        starts[i] = pc()
        ends[i] = pc()
    return pc() - t0


def loop_index(n, starts, ends):
    # Its twin: the same loop with the index, no clock and no store.
    t0 = perf_counter_ns()
    for i in range(n):
        pass
    return perf_counter_ns() - t0


def plain():
    pass


def summary(values):
    return min(values), statistics.median(values)


def report(what, values, unit, target=None, higher=False):
    lo, med = summary(values)
    line = '%-50s min %8.3f  median %8.3f %-3s' % (what, lo, med, unit)
    met = True
    if target is not None:
        met = med >= target if higher else med <= target
        line += '  target %s %.2f: %s' % ('>=' if higher else '<=', target,
                                          'MET' if met else 'NOT MET')
    print(line, flush=True)
    return met


# ----------------------------------------------------------------------
# The reference package, in a child process.

def serve_reference(path, n):
    """The child: set up the reference package, then measure one repeat per
    line read from stdin, answering with one JSON line."""
    sys.path.insert(0, path)
    src = os.path.join(path, 'src')
    if os.path.isdir(src):
        sys.path.insert(0, src)
    from scope_profiler import ProfileManager  # the pure-Python package

    tmp = tempfile.mkdtemp(prefix='sp-bench-ref-')
    file_path = os.path.join(tmp, 'ref.h5')
    try:
        # Current releases: every active region is a TimeOnlyProfileRegion
        # unless another mode is asked for; time_trace/flush_to_disk are gone
        # (a TypeError). deactivate_file_output only affects finalize().
        ProfileManager.setup(file_path=file_path, deactivate_file_output=True)
    except TypeError:
        # Older releases: time_trace=True selects TimeOnly (time_trace=False
        # is NCallsOnly, which records no timestamps).
        ProfileManager.setup(time_trace=True, flush_to_disk=False,
                             file_path=file_path)

    @ProfileManager.profile('ref_decorated')
    def decorated():
        pass

    region = ProfileManager.profile_region('ref_with')
    region_class = type(region).__name__
    if not region_class.startswith('TimeOnlyProfileRegion'):
        raise SystemExit('reference region is %s, not TimeOnly' % region_class)

    # Warm, as ours are.
    loop_with(min(n, 10000), region)
    loop_call(min(n, 10000), decorated)
    print(json.dumps({'region_class': region_class}), flush=True)

    for _ in sys.stdin:
        empty = loop_empty(n)
        call = loop_call(n, plain)
        out = {'decorator': (loop_call(n, decorated) - call) / n,
               'with': (loop_with(n, region) - empty) / n}
        print(json.dumps(out), flush=True)

    shutil.rmtree(tmp, ignore_errors=True)


class Reference:
    """The reference package in a child process, one repeat per measure()."""

    def __init__(self, path, n):
        cmd = [sys.executable, os.path.abspath(__file__), '--measure-reference', path,
               '--calls', str(n)]
        env = dict(os.environ)
        env.pop('PYTHONPATH', None)  # our scope_profiler must not shadow it
        self.child = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
        self.region_class = self._read()['region_class']

    def _read(self):
        line = self.child.stdout.readline()
        if not line:
            self.child.wait()
            raise SystemExit('the reference package could not be measured')
        return json.loads(line)

    def measure(self):
        self.child.stdin.write('run\n')
        self.child.stdin.flush()
        return self._read()

    def close(self):
        self.child.stdin.close()
        self.child.wait()


# ----------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='a few seconds, for a smoke test')
    parser.add_argument('--calls', type=int, default=None)
    parser.add_argument('--repeats', type=int, default=None)
    parser.add_argument('--reference', metavar='PATH',
                        help='checkout of the pure-Python scope-profiler package')
    parser.add_argument('--measure-reference', metavar='PATH', help=argparse.SUPPRESS)
    args = parser.parse_args()

    n = args.calls or (20000 if args.quick else 200000)
    repeats = args.repeats or (2 if args.quick else 15)

    if args.measure_reference:
        serve_reference(args.measure_reference, n)
        return 0

    import numpy as np
    from scope_profiler import ProfileManager
    from scope_profiler import profile_manager

    backend = profile_manager._BACKEND
    if backend == 'native':
        path = 'native (_scope_profiler_native)'
    else:
        from gi.overrides import ScopeProfiler as override
        path = 'gi (PyGObject invocation: %s)' % (override._native_unavailable,)

    reference = Reference(args.reference, n) if args.reference else None

    tmp = tempfile.mkdtemp(prefix='sp-bench-py-')
    ProfileManager.setup(file_path=os.path.join(tmp, 'bench.h5'), verbose=False)

    @ProfileManager.profile('decorated')
    def decorated():
        pass

    region = ProfileManager.profile_region('fetched')
    starts = np.empty(n, dtype=np.int64)
    ends = np.empty(n, dtype=np.int64)

    # Warm: buffers sized, code paths resolved.
    loop_with(min(n, 10000), region)
    loop_call(min(n, 10000), decorated)
    loop_lookup(min(n, 10000), ProfileManager)
    loop_floor(n, starts, ends)

    floor, dec, with_, lookup = [], [], [], []
    r_dec, r_with, r_lookup = [], [], []
    ref_dec, ref_with = [], []
    for _ in range(repeats):
        empty = loop_empty(n)
        index = loop_index(n, starts, ends)
        call = loop_call(n, plain)

        f = (loop_floor(n, starts, ends) - index) / n
        d = (loop_call(n, decorated) - call) / n
        w = (loop_with(n, region) - empty) / n
        lk = (loop_lookup(n, ProfileManager) - empty) / n

        floor.append(f)
        dec.append(d)
        with_.append(w)
        lookup.append(lk)
        r_dec.append(d / f)
        r_with.append(w / f)
        r_lookup.append(lk / w)

        if reference is not None:
            ref = reference.measure()
            ref_dec.append(ref['decorator'])
            ref_with.append(ref['with'])

    if reference is not None:
        reference.close()

    ProfileManager.finalize(verbose=False)
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)

    print('scope-profiler Python overhead per call, %d calls x %d repeats, Python %s'
          % (n, repeats, sys.version.split()[0]))
    print('%-50s %s' % ('per-call path', path))
    ok = True
    report('floor: 2 x perf_counter_ns() into numpy arrays', floor, 'ns')
    report('@ProfileManager.profile', dec, 'ns')
    report('with region: (fetched once)', with_, 'ns')
    report('with ProfileManager.profile_region("name"):', lookup, 'ns')
    ok &= report('@ProfileManager.profile / floor', r_dec, 'x', 2.0)
    ok &= report('with region: / floor', r_with, 'x', 2.0)
    ok &= report('profile_region("name") lookup / fetched once', r_lookup, 'x', 1.5)

    if reference is not None:
        print('%-50s %s' % ('reference region class', reference.region_class))
        report('reference TimeOnly decorator', ref_dec, 'ns')
        report('reference TimeOnly with region:', ref_with, 'ns')
        # Pair by pair: repeat i of ours against repeat i of the reference.
        ok &= report('@ProfileManager.profile / reference', [
            a / b for a, b in zip(dec, ref_dec)], 'x', 0.35)
        ok &= report('with region: / reference', [
            a / b for a, b in zip(with_, ref_with)], 'x', 0.35)
    else:
        print('%-50s skipped: no --reference PATH (the pure-Python package is not installable here)'
              % 'ratio to the pure-Python scope-profiler')

    print('\nbench-python: %s' % ('all targets MET' if ok else 'some targets NOT MET'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
