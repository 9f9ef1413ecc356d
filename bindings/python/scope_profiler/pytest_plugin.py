# pytest_plugin.py: profile a pytest run, one region per test and fixture
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""A pytest plugin recording a test run as one scope-profiler session.

Switched on with ``--scope-profile`` (file ``profiling_data.h5``) or
``--scope-profile=FILE``; without the option it does nothing and does not
even import the package. It is loaded by the ``pytest11`` entry point when
the package is installed with pip, or explicitly::

    pytest -p scope_profiler.pytest_plugin --scope-profile=tests.h5

The run is one session of the process-wide default manager, set up when the
test session starts and finalized when it ends. Its regions:

* ``<node id>`` (e.g. ``tests/test_io.py::test_write[big]``): each call of
  the test function (``pytest_runtest_call``), once per run of the test;
* ``fixture:<name>:setup``: each execution of a fixture's setup (the
  fixture function up to its ``yield`` or ``return``) -- once per scope
  instance, so a session-scoped fixture is set up once;
* ``fixture:<name>:teardown``: the fixture's teardown (the code after its
  ``yield`` and its finalizers).

Regions of the code under test (``@sp.profile``, ``sp.region(...)``, C code
with ``SP_PROFILE_SCOPE``) record into the same session, nested inside the
test or fixture that ran them. A test that calls ``setup()`` or
``finalize()`` on the default manager itself ends the run's session; give
such tests an independent ``ProfileManager()``.

The summary is printed at the end of the run with ``-v``; otherwise one line
names the file. Under pytest-xdist each worker writes its own file,
``<stem>.<worker id><suffix>`` (``profiling_data.gw0.h5``).
"""

import os

import pytest

__all__ = ['DEFAULT_FILE']

DEFAULT_FILE = 'profiling_data.h5'
_PLUGIN_NAME = 'scope-profiler-recorder'


def pytest_addoption(parser):
    group = parser.getgroup('scope-profiler', 'scope-profiler: profile the test run')
    group.addoption(
        '--scope-profile', action='store', nargs='?', const=DEFAULT_FILE, default=None,
        metavar='FILE', dest='scope_profile',
        help='record each test (region "<node id>") and each fixture\'s setup and '
             'teardown (regions "fixture:<name>:setup" / ":teardown") into one '
             'scope-profiler session file, FILE or %s; give FILE with "=" '
             '(--scope-profile=FILE)' % DEFAULT_FILE)


def _looks_like_a_test_path(value):
    return (value.endswith('.py') or '::' in value or os.path.isdir(value))


def pytest_configure(config):
    path = config.getoption('scope_profile', None)
    if path is None:
        return
    if _looks_like_a_test_path(path):
        raise pytest.UsageError(
            '--scope-profile took %r as its file: give the file with "=" '
            '(--scope-profile=FILE) or put the option after the test paths' % path)
    worker = getattr(config, 'workerinput', None)
    if worker is not None:
        stem, suffix = os.path.splitext(path)
        path = '%s.%s%s' % (stem, worker.get('workerid', 'worker'), suffix or '.h5')
    config.pluginmanager.register(_Recorder(config, os.path.abspath(path)), _PLUGIN_NAME)


def _is_parameter(fixturedef):
    """Whether ``fixturedef`` is the pseudo fixture pytest makes for a
    directly parametrized argument."""
    func = getattr(fixturedef, 'func', None)
    return getattr(func, '__name__', '').endswith('get_direct_param_fixture_func')


class _Recorder:
    """The hooks of a profiled run (registered only with --scope-profile)."""

    def __init__(self, config, path):
        self.config = config
        self.path = path
        self.summary = None
        self.error = None
        self.manager = None

    # -- the session ------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session):
        from scope_profiler import ProfileManager

        self.manager = ProfileManager
        ProfileManager.setup(file_path=self.path, verbose=False)
        ProfileManager.set_metadata('pytest_args', ' '.join(self.config.invocation_params.args))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        if self.manager is None:
            return
        from scope_profiler import ProfilerError

        try:
            self.manager.finalize(verbose=False)
        except ProfilerError as error:
            self.error = error
        else:
            # The library's statistics of the session just written.
            self.summary = self.manager.get_summary()

    def pytest_terminal_summary(self, terminalreporter):
        tr = terminalreporter
        tr.write_sep('-', 'scope-profiler')
        if self.error is not None:
            tr.write_line('could not write %s: %s' % (self.path, self.error), red=True)
            return
        if self.summary is None:
            return
        tr.write_line('session file: %s' % self.path)
        if self.config.getoption('verbose') > 0:
            tr.write(self.summary)
        else:
            tr.write_line('(-v prints the per-region summary)')

    # -- tests and fixtures ---------------------------------------------------------------

    def _region(self, name):
        return self.manager.profile_region(name)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        if self.manager is None:
            yield
            return
        region = self._region(item.nodeid)
        region.__enter__()
        try:
            yield
        finally:
            region.__exit__(None, None, None)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if self.manager is None:
            yield
            return
        if _is_parameter(fixturedef):
            # The argument of @pytest.mark.parametrize: not a fixture.
            yield
            return
        name = fixturedef.argname
        opened = []

        # A fixture's finalizers run last added first: this one runs after
        # the fixture's own teardown (registered while its setup runs), the
        # one added after setup before it.
        def end_teardown():
            if opened:
                opened.pop().__exit__(None, None, None)

        def start_teardown():
            teardown = self._region('fixture:%s:teardown' % name)
            teardown.__enter__()
            opened.append(teardown)

        fixturedef.addfinalizer(end_teardown)
        setup = self._region('fixture:%s:setup' % name)
        setup.__enter__()
        try:
            outcome = yield
        finally:
            setup.__exit__(None, None, None)
        if outcome.excinfo is None:
            fixturedef.addfinalizer(start_teardown)
