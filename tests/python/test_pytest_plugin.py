# The pytest plugin (scope_profiler.pytest_plugin): --scope-profile[=FILE]
# records a test run as one session: a region per test (its node id) and per
# fixture setup and teardown. Each run is a pytest subprocess (pytester), as
# the plugin sets up the process-wide default manager.

import os
import sys

import pytest

pytest_plugins = ['pytester']

h5py = pytest.importorskip('h5py')
np = pytest.importorskip('numpy')

PLUGIN = ['-p', 'scope_profiler.pytest_plugin']

TESTS = '''
import time
import pytest
import scope_profiler as sp


@pytest.fixture(scope="session")
def database():
    time.sleep(0.01)
    yield "db"
    time.sleep(0.02)


@pytest.fixture
def tmp_thing():
    yield 1
    time.sleep(0.015)


@pytest.fixture
def broken():
    raise RuntimeError("fixture setup fails")


@sp.profile("code_under_test")
def work():
    time.sleep(0.005)


def test_one(database, tmp_thing):
    time.sleep(0.03)
    work()


def test_two(database, tmp_thing):
    work()
    work()


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    assert n in (1, 2)


def test_fails():
    assert False


def test_error_in_fixture(broken):
    pass
'''


def regions_of(path):
    """{name: (start_times, end_times, num_calls)} of rank 0."""
    result = {}
    with h5py.File(path, 'r') as f:
        for group in f['rank0/regions'].values():
            name = group.attrs['name']
            name = name.decode() if isinstance(name, bytes) else name
            result[name] = (group['start_times'][()], group['end_times'][()],
                            int(group.attrs['num_calls']))
    return result


def run(pytester, *args):
    return pytester.runpytest_subprocess('-p', 'no:cacheprovider', *args)


def test_regions_of_tests_and_fixtures(pytester):
    pytester.makepyfile(test_sample=TESTS)
    result = run(pytester, *PLUGIN, '--scope-profile=run.h5')
    result.assert_outcomes(passed=4, failed=1, errors=1)
    regions = regions_of(pytester.path / 'run.h5')

    tests = ['test_sample.py::test_one', 'test_sample.py::test_two',
             'test_sample.py::test_param[1]', 'test_sample.py::test_param[2]',
             'test_sample.py::test_fails']
    for nodeid in tests:
        assert regions[nodeid][2] == 1, nodeid
    # A test whose fixture failed never ran its body.
    assert 'test_sample.py::test_error_in_fixture' not in regions
    assert set(regions) == set(tests) | {
        'code_under_test',
        'fixture:database:setup', 'fixture:database:teardown',
        'fixture:tmp_thing:setup', 'fixture:tmp_thing:teardown',
        'fixture:broken:setup'}

    # Session scope: set up and torn down once; function scope: per test.
    assert regions['fixture:database:setup'][2] == 1
    assert regions['fixture:database:teardown'][2] == 1
    assert regions['fixture:tmp_thing:setup'][2] == 2
    assert regions['fixture:tmp_thing:teardown'][2] == 2
    assert regions['fixture:broken:setup'][2] == 1

    def durations(name):
        starts, ends, _ = regions[name]
        return ends - starts

    # Each region times what it says.
    assert durations('test_sample.py::test_one')[0] >= 30_000_000
    assert durations('fixture:database:setup')[0] >= 10_000_000
    assert durations('fixture:database:teardown')[0] >= 20_000_000
    assert (durations('fixture:tmp_thing:teardown') >= 15_000_000).all()
    # The code under test nests inside the tests that ran it.
    code_starts, code_ends, code_calls = regions['code_under_test']
    assert code_calls == 3
    one_start, one_end, _ = regions['test_sample.py::test_one']
    two_start, two_end, _ = regions['test_sample.py::test_two']
    assert one_start[0] <= code_starts[0] <= code_ends[0] <= one_end[0]
    assert (two_start[0] <= code_starts[1:]).all() and (code_ends[1:] <= two_end[0]).all()
    # The test runs between its fixtures' setup and teardown.
    setup_end = regions['fixture:tmp_thing:setup'][1][0]
    teardown_start = regions['fixture:tmp_thing:teardown'][0][0]
    assert setup_end <= one_start[0] and one_end[0] <= teardown_start
    # ... and the teardown is not part of the test's region.
    assert two_end[0] <= regions['fixture:tmp_thing:teardown'][0][1]


def test_summary_with_v_and_one_line_without(pytester):
    pytester.makepyfile(test_small='def test_a():\n    pass\n')
    quiet = run(pytester, *PLUGIN, '--scope-profile=q.h5')
    quiet.assert_outcomes(passed=1)
    out = quiet.stdout.str()
    assert 'session file: %s' % (pytester.path / 'q.h5') in out
    assert 'Region:' not in out

    loud = run(pytester, *PLUGIN, '--scope-profile=v.h5', '-v')
    loud.assert_outcomes(passed=1)
    loud.stdout.fnmatch_lines(['*- scope-profiler -*', 'session file: *v.h5',
                               'Region: test_small.py::test_a', '  Total Calls : 1'])


def test_default_file_name(pytester):
    pytester.makepyfile(test_small='def test_a():\n    pass\n')
    run(pytester, *PLUGIN, '--scope-profile').assert_outcomes(passed=1)
    assert 'test_small.py::test_a' in regions_of(pytester.path / 'profiling_data.h5')


def test_off_without_the_option(pytester):
    pytester.makepyfile(test_small='def test_a():\n    pass\n')
    result = run(pytester, *PLUGIN)
    result.assert_outcomes(passed=1)
    assert 'scope-profiler' not in result.stdout.str()
    assert [p.name for p in pytester.path.iterdir() if p.suffix == '.h5'] == []


def test_a_test_path_is_not_taken_as_the_file(pytester):
    pytester.makepyfile(test_small='def test_a():\n    pass\n')
    result = run(pytester, *PLUGIN, '--scope-profile', 'test_small.py')
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(['*--scope-profile=FILE*'])
    assert not (pytester.path / 'test_small.py.h5').exists()


ENTRY_POINT = 'scope_profiler.pytest_plugin = scope_profiler.pytest_plugin\n'


@pytest.fixture
def installed(pytester, monkeypatch):
    """The plugin declared as an installed distribution declares it (the
    pytest11 entry point of pyproject.toml)."""
    site = pytester.path / 'site'
    info = site / 'scope_profiler_plugin_test-0.dist-info'
    info.mkdir(parents=True)
    (info / 'METADATA').write_text('Metadata-Version: 2.1\nName: scope-profiler-plugin-test\n'
                                   'Version: 0\n')
    (info / 'entry_points.txt').write_text('[pytest11]\n' + ENTRY_POINT)
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join(
        [str(site)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]))
    return site


def test_entry_point_loads_it_when_installed(pytester, installed):
    pytester.makepyfile(test_small='def test_a():\n    pass\n')
    run(pytester, '--scope-profile=ep.h5').assert_outcomes(passed=1)
    assert 'test_small.py::test_a' in regions_of(pytester.path / 'ep.h5')
    # Named as the module, so -p with the module name is the same plugin
    # (not registered twice), and -p no:<name> switches it off.
    run(pytester, *PLUGIN, '--scope-profile=both.h5').assert_outcomes(passed=1)
    assert 'test_small.py::test_a' in regions_of(pytester.path / 'both.h5')
    off = run(pytester, '-p', 'no:scope_profiler.pytest_plugin', '--scope-profile=x.h5')
    assert off.ret == pytest.ExitCode.USAGE_ERROR


def test_pyproject_declares_the_entry_point():
    # When the packaging declares it: pyproject.toml's pytest11 entry point
    # must be the one tested above.
    root = os.path.join(os.path.dirname(__file__), '..', '..')
    path = os.path.join(root, 'pyproject.toml')
    if not os.path.isfile(path):
        pytest.skip('no pyproject.toml')
    text = open(path, encoding='utf-8').read()
    if 'pytest11' not in text:
        pytest.skip('pyproject.toml does not declare the pytest11 entry point yet')
    if sys.version_info >= (3, 11):
        import tomllib
        entry_points = tomllib.loads(text)['project']['entry-points']['pytest11']
        assert entry_points == {'scope_profiler.pytest_plugin': 'scope_profiler.pytest_plugin'}
