# Shared fixtures of the Python tests.
#
# The tests import gi.repository.ScopeProfiler and scope_profiler exactly as
# a user does; meson puts the uninstalled typelib, library and Python
# sources on the paths (tests/meson.build, tests/python/meson.build).

import os

import pytest


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    """Every test runs in its own directory, so default file paths
    (profiling_data.h5) never collide or land in the source tree."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def pm():
    """The class-level API on a fresh default-manager session."""
    from scope_profiler import ProfileManager

    ProfileManager.setup(verbose=False)
    yield ProfileManager
    # Leave no session behind that a later test's file could pick up.
    ProfileManager.setup(verbose=False, flush_to_disk=False)


def read_regions(path):
    """{name: {'start_times', 'end_times', 'thread_ids'}} of rank 0."""
    h5py = pytest.importorskip('h5py')
    result = {}
    with h5py.File(path, 'r') as f:
        for key, group in f['rank0/regions'].items():
            name = group.attrs['name']
            if isinstance(name, bytes):
                name = name.decode()
            result[name] = {column: group[column][()]
                            for column in ('start_times', 'end_times', 'thread_ids')}
    return result


@pytest.fixture
def regions_in():
    return read_regions


def pytest_report_header(config):
    return ['GI_TYPELIB_PATH=%s' % os.environ.get('GI_TYPELIB_PATH', ''),
            'SCOPE_PROFILER_PYTHON_NATIVE=%s' % os.environ.get('SCOPE_PROFILER_PYTHON_NATIVE', '')]


def pytest_addoption(parser):
    parser.addoption('--spec-file', default=None,
                     help='path of the spec page regions.md whose snippets must run')
    parser.addoption('--expect-backend', choices=('native', 'gi'), default=None,
                     help='the per-call path this run must take: "native" (the '
                          '_scope_profiler_native module) or "gi" (PyGObject only); '
                          'unchecked when not given')


@pytest.fixture
def expected_backend(request):
    """'native', 'gi', or None when the run does not say."""
    return request.config.getoption('--expect-backend')
