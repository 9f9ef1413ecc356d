#!/usr/bin/python3
# bench-run.py: what recursive profiling and `scope-profiler run` cost per call
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Per-call cost of recursive profiling (the C tracer behind
``setup(recursive_profile=True)``, ``profile(recursive=True)`` and
``scope-profiler run``), against a decorated call and against cProfile.

Targets, all measured in this one run, interleaved over repeats
and taken as ratios repeat by repeat:

* a recursive-profiled nested call <= 1.5 x a decorated call
  (``@ProfileManager.profile``, the C ``ProfiledFunction``);
* a profiled call (the same tracer ``run`` uses) <= 1.5 x cProfile's
  per-call cost on the same loop;
* with ``--reference PATH`` (a checkout of the pure-Python scope-profiler
  package): wall time of ``python3 -m scope_profiler run fib.py`` <= 0.3 x
  the reference's ``run`` of the same script (each in a child process).

Cost per call = (time of a loop of n calls of an empty function while
profiled - time of the same loop unprofiled) / n. The recursive loop runs
inside an entry function decorated with ``profile(recursive=True)``,
so every call in it is a nested call the tracer records.

Run through ``meson devenv -C BUILD`` (or with PYTHONPATH set as meson sets
it), or with the python of an environment the package is installed in: it
needs only the package and its extension, no numpy (run.sh also runs it in a
bare venv of the ``python3`` on PATH).

The tracer takes one of two paths (the comment at the top of
bindings/python/sp-python-tracer.c): an eval-frame hook (PEP 523) on
CPython 3.11.4 and later 3.11 releases, a profile hook elsewhere (Debian's
3.11.2 and 3.12 among them). The report names the path it measured and the interpreter;
SCOPE_PROFILER_TRACER=profile|frame forces one. On the profile hook the
first target is out of reach: a recorded call is about 1 290 instructions
(callgrind, 3.11.2), of which the hook with the library's enter and exit is
about 300 and the interpreter's own work for any profile hook the rest,
against about 385 for a decorated call; in time that is about 1.6 x.
"""

import argparse
import cProfile
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

perf_counter_ns = time.perf_counter_ns

FIB_SCRIPT = textwrap.dedent('''\
    import sys

    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    fib(int(sys.argv[1]) if len(sys.argv) > 1 else 22)
    ''')


def empty():
    pass


def loop_call(n, func):
    t0 = perf_counter_ns()
    for _ in range(n):
        func()
    return perf_counter_ns() - t0


def summary(values):
    return min(values), statistics.median(values)


def report(what, values, unit, target=None, where=''):
    lo, med = summary(values)
    line = '%-50s min %8.3f  median %8.3f %-3s' % (what, lo, med, unit)
    met = True
    if target is not None:
        met = med <= target
        line += '  target <= %.2f: %s' % (target, 'MET' if met else 'NOT MET')
    if where:
        # The interpreter and the tracer's hook, on the verdict line itself:
        # run.sh's summary repeats these lines for more than one Python.
        line += '  [%s]' % where
    print(line, flush=True)
    return met


def time_run(python, env, script, fib_n, outfile):
    """Wall time (ns) of `python -m scope_profiler run -q -o outfile script`."""
    t0 = perf_counter_ns()
    subprocess.run([python, '-m', 'scope_profiler', 'run', '-q', '-o', outfile, script,
                    str(fib_n)], env=env, check=True, stdout=subprocess.DEVNULL)
    return perf_counter_ns() - t0


def reference_env(path):
    env = dict(os.environ)
    src = os.path.join(path, 'src')
    env['PYTHONPATH'] = src if os.path.isdir(src) else path
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='a few seconds, for a smoke test')
    parser.add_argument('--calls', type=int, default=None)
    parser.add_argument('--repeats', type=int, default=None)
    parser.add_argument('--reference', metavar='PATH',
                        help='checkout of the pure-Python scope-profiler package')
    args = parser.parse_args()

    n = args.calls or (20000 if args.quick else 200000)
    repeats = args.repeats or (3 if args.quick else 15)

    from scope_profiler import ProfileManager

    tmp = tempfile.mkdtemp(prefix='sp-bench-run-')
    ProfileManager.setup(verbose=False, file_path=os.path.join(tmp, 'bench.h5'))

    # The ordinary decorator (ProfiledFunction, no recursion).
    @ProfileManager.profile('decorated')
    def decorated():
        pass

    # The same tracer as setup(recursive_profile=True) and run.
    @ProfileManager.profile('entry', recursive=True)
    def recursive_loop(n):
        # Runs with the tracer active: each empty() is a nested call.
        return loop_call(n, empty)

    # Which path the tracer takes here (one activation, as recursive_loop's).
    import _scope_profiler_native as native
    probe = native.Tracer(ProfileManager.profile_region).activate()
    path = probe.path
    probe.deactivate()

    # Warm: regions made, buffers sized.
    loop_call(min(n, 10000), decorated)
    recursive_loop(min(n, 10000))

    dec, rec, cprof = [], [], []
    r_dec, r_cprof = [], []
    for _ in range(repeats):
        base = loop_call(n, empty)
        d = (loop_call(n, decorated) - base) / n
        r = (recursive_loop(n) - base) / n
        profiler = cProfile.Profile()
        profiler.enable()
        c = loop_call(n, empty)
        profiler.disable()
        c = (c - base) / n
        dec.append(d)
        rec.append(r)
        cprof.append(c)
        r_dec.append(r / d)
        r_cprof.append(r / c)

    ProfileManager.setup(verbose=False, flush_to_disk=False)

    print('scope-profiler recursive profiling per call, %d calls x %d repeats, Python %s (%s)'
          % (n, repeats, sys.version.split()[0], sys.executable))
    print('tracer path: %s (%s; tracer_path setting %r)'
          % (path, 'eval-frame hook, PEP 523' if path == 'frame' else 'profile hook',
             native.tracer_path()))
    where = 'Python %s %s, %s hook' % (sys.version.split()[0], sys.executable,
                                        'eval-frame' if path == 'frame' else 'profile')
    ok = True
    report('@ProfileManager.profile (decorated call)', dec, 'ns')
    report('recursive-profiled nested call', rec, 'ns')
    report('cProfile per call', cprof, 'ns')
    ok &= report('recursive nested call / decorated call', r_dec, 'x', 1.5, where)
    ok &= report('profiled call (run, recursive) / cProfile', r_cprof, 'x', 1.5, where)

    # run of a call-heavy script, wall time (and against the reference).
    script = os.path.join(tmp, 'fib.py')
    with open(script, 'w') as f:
        f.write(FIB_SCRIPT)
    fib_n = 18 if args.quick else 22
    run_repeats = 2 if args.quick else 5
    ours = []
    plain = []
    refs = []
    for _ in range(run_repeats):
        t0 = perf_counter_ns()
        subprocess.run([sys.executable, script, str(fib_n)], check=True)
        plain.append((perf_counter_ns() - t0) / 1e6)
        ours.append(time_run(sys.executable, dict(os.environ), script, fib_n,
                             os.path.join(tmp, 'ours.h5')) / 1e6)
        if args.reference:
            refs.append(time_run(sys.executable, reference_env(args.reference), script, fib_n,
                                 os.path.join(tmp, 'ref.h5')) / 1e6)
    calls = _fib_calls(fib_n)
    report('python3 fib.py (%d calls), unprofiled' % calls, plain, 'ms')
    report('python3 -m scope_profiler run fib.py', ours, 'ms')
    if refs:
        report('reference run fib.py', refs, 'ms')
        ok &= report('run / reference run (wall time)', [a / b for a, b in zip(ours, refs)],
                     'x', 0.3, where)
    else:
        print('%-50s skipped: no --reference PATH (the pure-Python package is not installable here)'
              % 'run / reference run')

    shutil.rmtree(tmp, ignore_errors=True)
    print('\nbench-run: %s' % ('all targets MET' if ok else 'some targets NOT MET'))
    return 0


def _fib_calls(n):
    a, b = 1, 1   # calls of fib(0), fib(1)
    for _ in range(n - 1):
        a, b = b, a + b + 1
    return b


if __name__ == '__main__':
    sys.exit(main())
