# __main__.py: `python3 -m scope_profiler` (also behind `scope-profiler run|pproc`)
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""The command line of the Python package::

    python3 -m scope_profiler run [-o FILE] [-q] [--all] [--buffer-limit N] script.py [args...]
    python3 -m scope_profiler pproc FILES... [-o DIR] ...

The C ``scope-profiler`` command runs this module for ``run`` and
``pproc``, so both spellings take the same options and exit the same way.
"""

import argparse
import os
import sys

__all__ = ['main', 'build_parser']

PROG = 'scope-profiler'


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Profile Python scripts and post-process scope-profiler sessions.')
    commands = parser.add_subparsers(dest='command', metavar='COMMAND')

    run = commands.add_parser(
        'run', help='run a Python script with every call of its functions recorded',
        description='Run a Python script as "python3 script.py args..." would, recording '
                    'each call of its functions as a region (module body __main__.<module>, '
                    'functions __main__.<qualname>) inside a region named after the script. '
                    'The session is written when the script ends, also when it raises or '
                    'exits; the exit status is the script\'s.')
    run.add_argument('-o', '--outfile', default='profiling_data.h5',
                     help='session file to write (default: %(default)s)')
    run.add_argument('-q', '--quiet', action='store_true',
                     help='do not print the per-region summary at the end')
    run.add_argument('--all', action='store_true',
                     help='also record calls into the standard library and installed packages')
    run.add_argument('--buffer-limit', type=int, default=100_000, metavar='N',
                     help='calls buffered per region before they are flushed (default: %(default)s)')
    run.add_argument('script', help='the Python script to run')
    run.add_argument('args', nargs=argparse.REMAINDER, help='arguments passed to the script')

    commands.add_parser(
        'pproc', help='plots, statistics and data exports of session files',
        add_help=False)
    return parser


def _run(options):
    script = options.script
    if not os.path.isfile(script):
        print("%s run: can't open file '%s'" % (PROG, script), file=sys.stderr)
        return 1

    from .profile_manager import ProfileManager
    from . import _run as run_module

    _setup(ProfileManager, options)
    try:
        run_module.run_script(ProfileManager, script, options.args,
                              only_user_code=not options.all, own_session=True)
    finally:
        ProfileManager.finalize(verbose=not options.quiet)
    return 0


def _setup(manager_cls, options):
    """setup() as the Python package's run does it: recursive mode, time
    trace, flush to disk, the buffer limit and output file given. The
    script's calls are recorded by run's own tracer; recursive mode also
    makes the script's decorated functions record what they call on other
    threads."""
    manager_cls.setup(recursive_profile=True, time_trace=True, flush_to_disk=True,
                      buffer_limit=options.buffer_limit,
                      file_path=options.outfile)


def main(argv=None):
    """Entry point: returns the exit status of ``run`` (0) or ``pproc``;
    a script's ``SystemExit`` and exceptions propagate (after the session is
    written), so ``python3 -m scope_profiler run`` exits as the script
    would under ``python3``."""
    if argv is None:
        argv = sys.argv[1:]
    argv = list(argv)
    parser = build_parser()

    if not argv:
        parser.print_help(sys.stderr)
        return 1

    # pproc's options are post_processing's own: everything after the
    # command goes there untouched (its parser prints its own help).
    if argv[0] == 'pproc':
        from . import post_processing
        status = post_processing.main(argv[1:])
        return 0 if status is None else status

    options = parser.parse_args(argv)
    if options.command is None:
        parser.print_help(sys.stderr)
        return 1
    if options.command == 'run':
        return _run(options)
    parser.error('unknown command %r' % options.command)  # pragma: no cover


if __name__ == '__main__':
    sys.exit(main())
