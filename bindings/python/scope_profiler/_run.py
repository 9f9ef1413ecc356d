# _run.py: profile an unmodified script (`scope-profiler run`, run_script)
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""``ProfileManager.run_script()`` and the ``run`` command.

The script runs as ``python3 script.py args...`` would run it (through
:func:`runpy.run_path` with ``run_name="__main__"``, ``sys.argv`` set to
the script's absolute path and its arguments, its directory first on
``sys.path``), inside one region named after the script's basename, with
recursive profiling on: its module body is the region ``__main__.<module>``
and each function call a call of ``__main__.<qualname>`` (or
``<module>.<qualname>`` for the modules it imports).

A script that has regions of its own (``@ProfileManager.profile``,
``with ProfileManager.profile_region(...)``) and calls no ``setup()`` has
them recorded in the run's session. A script that calls ``setup()`` or
``finalize()`` itself while ``run`` owns the session: those calls are
ignored (with a note on stderr, once each), so the run's options and
output file stay in force and its regions are all in the one file written
when the script ends.
"""

import os
import runpy
import sys

from . import _recursive

__all__ = ['run_script']


class _OwnedSession:
    """While a script runs under ``run``, the script's own ``setup()`` and
    ``finalize()`` on the class-level API are ignored."""

    def __init__(self, manager_cls):
        self._cls = manager_cls
        self._saved = {}
        self._noted = set()

    def _ignored(self, name):
        owned = self

        def ignored(*args, **kwargs):
            if name not in owned._noted:
                owned._noted.add(name)
                print('scope-profiler run: the script\'s ProfileManager.%s() is ignored: '
                      'run owns the session' % name, file=sys.stderr, flush=True)
        ignored.__name__ = name
        return ignored

    def __enter__(self):
        for name in ('setup', 'finalize'):
            self._saved[name] = self._cls.__dict__.get(name)
            setattr(self._cls, name, staticmethod(self._ignored(name)))
        return self

    def __exit__(self, *exc_info):
        for name, value in self._saved.items():
            if value is None:
                delattr(self._cls, name)
            else:
                setattr(self._cls, name, value)
        return False


def run_script(manager_cls, script_path, script_args=None, region_name=None,
               only_user_code=True, own_session=False):
    """Run the script at ``script_path`` under recursive profiling.

    ``manager_cls`` is the ``ProfileManager`` class whose session records
    the calls. ``own_session`` (the ``run`` command) makes the script's own
    ``setup()``/``finalize()`` calls no-ops while it runs. Exceptions and
    ``SystemExit`` of the script propagate; ``sys.argv`` and ``sys.path``
    are restored after.
    """
    path = os.path.abspath(os.fspath(script_path))
    if not os.path.isfile(path):
        raise FileNotFoundError(2, "can't open file", path)
    if region_name is None:
        region_name = os.path.basename(path)
    args = [str(a) for a in (script_args or [])]

    region = manager_cls.profile_region(region_name)
    tracer = _recursive.new_tracer(manager_cls.profile_region, only_user_code=only_user_code)

    saved_argv = sys.argv
    script_dir = os.path.dirname(path)
    inserted = script_dir not in sys.path
    if inserted:
        sys.path.insert(0, script_dir)
    sys.argv = [path, *args]

    owned = _OwnedSession(manager_cls) if own_session else None
    try:
        if owned is not None:
            owned.__enter__()
        with region:
            activation = tracer.activate()
            try:
                runpy.run_path(path, run_name='__main__')
            finally:
                activation.deactivate()
    finally:
        if owned is not None:
            owned.__exit__(None, None, None)
        sys.argv = saved_argv
        if inserted:
            try:
                sys.path.remove(script_dir)
            except ValueError:
                pass
