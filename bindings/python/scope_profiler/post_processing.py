# post_processing.py: "scope-profiler pproc", plots and statistics of sessions
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""``scope-profiler pproc FILE... -o DIR``: the plots and statistics of one
or more session files, as in the Python scope-profiler package.

Writes to DIR ``gantt_plot.png``, ``flame_plot.png``,
``durations_plot_<metric>.png`` (``durations_plot.png`` for one metric),
``speedup_plot.png`` (two or more files) and ``region_statistics.json``;
with ``--export-data`` also ``{gantt,flame,durations,speedup}_data.csv``
(or ``.json``). Without ``-o`` nothing is written; ``--show`` opens the
plots in windows.
"""

import argparse
import glob
import os
import sys

from . import plotting_scripts
from .plotting_scripts import DEFAULT_CMAP

__all__ = ['build_parser', 'expand_file_patterns', 'main', 'parse_ranks']

_METRICS = ('avg', 'min', 'max', 'total')
_GLOB_CHARS = ('*', '?', '[')


def parse_ranks(spec, verbose=False):
    """The ranks of a specification like ``"0-3,5"``: sorted, each once.

    A :class:`ValueError` names a part that is not a rank or a range
    ``first-last`` with first <= last.
    """
    ranks = set()
    for part in str(spec).split(','):
        part = part.strip()
        if verbose:
            print('Parsing rank part: %s' % part)
        if not part:
            continue
        first, sep, last = part.partition('-')
        try:
            if sep:
                first, last = int(first), int(last)
                if first < 0 or last < first:
                    raise ValueError
                ranks.update(range(first, last + 1))
            else:
                rank = int(part)
                if rank < 0:
                    raise ValueError
                ranks.add(rank)
        except ValueError:
            raise ValueError('Invalid rank specification %r in %r: expected ranks and '
                             'ranges such as "0-3,5"' % (part, spec)) from None
    if not ranks:
        raise ValueError('Invalid rank specification %r: no ranks' % (spec,))
    result = sorted(ranks)
    if verbose:
        print('Parsed ranks: %s' % result)
    return result


def expand_file_patterns(file_args, parser):
    """The files named or matched (``*``, ``?``, ``[``, recursive ``**``)
    by file_args, each once, in order (the matches of a pattern sorted).

    A pattern matching no file, or a name that is not a file, is a
    parser error.
    """
    files = []
    seen = set()
    for arg in file_args:
        if any(c in arg for c in _GLOB_CHARS):
            matches = sorted(p for p in glob.glob(arg, recursive=True) if os.path.isfile(p))
            if not matches:
                parser.error('no files match %r' % arg)
        else:
            if not os.path.isfile(arg):
                parser.error('no such file: %r' % arg)
            matches = [arg]
        for path in matches:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                files.append(path)
    return files


def build_parser():
    parser = argparse.ArgumentParser(
        prog='scope-profiler pproc',
        description='Plots and statistics of profiling session files (HDF5).')
    parser.add_argument('files', nargs='+',
                        help='session files or glob patterns (quote them: "runs/*.h5", '
                             '"**" matches directories recursively)')
    parser.add_argument('--show', action='store_true', help='show the plots in windows')
    parser.add_argument('-o', '--output', metavar='DIR', default=None,
                        help='directory for the plots and region_statistics.json '
                             '(created if needed); nothing is written without it')
    parser.add_argument('-i', '--include', nargs='*', metavar='REGEX', default=None,
                        help='only regions whose names match one of these regexes '
                             '(matched at the start of the name)')
    parser.add_argument('-e', '--exclude', nargs='*', metavar='REGEX', default=None,
                        help='leave out regions whose names match one of these regexes')
    parser.add_argument('-r', '--ranks', nargs='*', metavar='SPEC', default=None,
                        help='ranks to show, e.g. "0-3,5" (default: all; flame: rank 0)')
    parser.add_argument('-m', '--metrics', nargs='+', choices=_METRICS, default=None,
                        metavar='METRIC',
                        help='duration statistics to plot: %s (default: all)'
                             % ', '.join(_METRICS))
    parser.add_argument('--x-field', default='num_ranks', metavar='FIELD',
                        help='speedup x axis: num_ranks (default), omp_num_threads, '
                             'total_cores or any metadata field')
    parser.add_argument('--cmap', default=DEFAULT_CMAP,
                        help='matplotlib colormap of regions and files (default: %s)'
                             % DEFAULT_CMAP)
    parser.add_argument('--backend', choices=('matplotlib', 'plotly'), default='matplotlib',
                        help='plot renderer: matplotlib (PNG, default) or plotly (HTML)')
    parser.add_argument('--export-data', action='store_true',
                        help='also write the data behind each plot (needs -o)')
    parser.add_argument('--export-data-format', choices=('csv', 'json'), default='csv',
                        help='format of --export-data files (default: csv)')
    parser.add_argument('--skip-plot-images', action='store_true',
                        help='write no plot images (needs --export-data)')
    return parser


def _error(message):
    sys.stderr.write('scope-profiler pproc: error: %s\n' % message)
    raise SystemExit(1)


def main(argv=None):
    """Run ``pproc`` with argv (without the program name; default
    ``sys.argv[1:]``)."""
    parser = build_parser()
    args = parser.parse_args(argv)

    if args.export_data and not args.output:
        parser.error('--export-data needs -o/--output DIR')
    if args.skip_plot_images and not args.export_data:
        parser.error('--skip-plot-images needs --export-data')

    files = expand_file_patterns(args.files, parser)

    ranks = None
    if args.ranks is not None:
        try:
            ranks = sorted({rank for spec in args.ranks for rank in parse_ranks(spec)})
        except ValueError as exc:
            parser.error(str(exc))
        if not ranks:
            parser.error('-r/--ranks needs at least one rank specification')

    try:
        _run(args, files, ranks)
    except (ValueError, KeyError, ImportError, RuntimeError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        _error(message)
    return None


def _run(args, files, ranks):
    from .h5reader import ProfilingH5Reader

    readers = [ProfilingH5Reader(path) for path in files]

    out = args.output
    if out:
        os.makedirs(out, exist_ok=True)
    ext = 'html' if args.backend == 'plotly' else 'png'
    fmt = args.export_data_format
    images = out is not None and not args.skip_plot_images
    written = []

    def image(name):
        return os.path.join(out, '%s.%s' % (name, ext)) if images else None

    def data(name):
        return os.path.join(out, '%s_data.%s' % (name, fmt)) if args.export_data else None

    common = dict(include=args.include, exclude=args.exclude, show=args.show,
                  cmap=args.cmap, data_format=fmt, backend=args.backend)

    path = image('gantt_plot')
    plotting_scripts.plot_gantt(readers, ranks=ranks, filepath=path,
                                data_filepath=data('gantt'), **common)
    written += [p for p in (path, data('gantt')) if p]

    path = image('flame_plot')
    plotting_scripts.plot_flame(readers, ranks=ranks, filepath=path,
                                data_filepath=data('flame'), **common)
    written += [p for p in (path, data('flame')) if p]

    metrics = list(dict.fromkeys(args.metrics)) if args.metrics else list(_METRICS)
    base = os.path.join(out, 'durations_plot.%s' % ext) if images else None
    written += plotting_scripts.plot_durations(readers, ranks=ranks, metrics=metrics,
                                               filepath=base, data_filepath=data('durations'),
                                               **common)
    if data('durations'):
        written.append(data('durations'))

    if len(readers) >= 2:
        path = image('speedup_plot')
        plotting_scripts.plot_speedup(readers, x_field=args.x_field, ranks=ranks, filepath=path,
                                      data_filepath=data('speedup'), **common)
        written += [p for p in (path, data('speedup')) if p]

    if out:
        path = os.path.join(out, 'region_statistics.json')
        plotting_scripts.write_region_statistics_json(readers, path, ranks=ranks,
                                                      include=args.include,
                                                      exclude=args.exclude)
        written.append(path)

    if not out and not args.show:
        sys.stderr.write('scope-profiler pproc: nothing written: give -o DIR to save the '
                         'plots and statistics, or --show to see them\n')
    if out and not args.show:
        print('Outputs saved to:')
        for path in written:
            print('  %s' % path)
