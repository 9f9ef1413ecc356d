# setup(use_line_profiler=True) through line_profiler, and the ImportErrors
# of use_line_profiler / use_likwid without their packages.

import io
import subprocess
import sys
import textwrap

import pytest

from scope_profiler import ProfileManager, UnsupportedOptionError

line_profiler = pytest.importorskip('line_profiler')


@pytest.fixture
def line_session(tmp_path):
    path = tmp_path / 'lines.h5'
    ProfileManager.setup(use_line_profiler=True, verbose=False, file_path=str(path))
    yield path
    ProfileManager.setup(verbose=False, flush_to_disk=False)


def test_decorated_function_gets_line_timings(line_session, regions_in, capsys):
    @ProfileManager.profile('work')
    def work(n):
        total = 0
        for i in range(n):
            total += i
        return total

    assert work(50) == sum(range(50))
    assert work(5) == 10

    region = ProfileManager.get_region('work')
    assert region.num_calls == 2
    stats = region.get_stats()
    assert type(stats).__name__ == 'LineStats'
    (key, lines), = stats.timings.items()
    assert key[2] == 'work'
    hits = {line - key[1]: count for line, count, _ in lines}
    # Lines after the def: total = 0 (2 hits), the loop body (55 hits).
    assert hits[2] == 2
    assert hits[4] == 55

    out = io.StringIO()
    region.print_stats(stream=out)
    assert 'total += i' in out.getvalue()

    # Region timings still go to the session file.
    ProfileManager.finalize(verbose=True)
    printed = capsys.readouterr().out
    assert 'Line profile of region: work' in printed
    assert 'total += i' in printed
    assert len(regions_in(line_session)['work']['start_times']) == 2


def test_no_line_tables_when_quiet(line_session, capsys):
    @ProfileManager.profile('quiet')
    def quiet():
        return 1

    quiet()
    ProfileManager.finalize(verbose=False)
    assert 'Line profile' not in capsys.readouterr().out


def test_one_profiler_per_region(line_session):
    @ProfileManager.profile('a')
    def a():
        return 1

    @ProfileManager.profile('b')
    def b():
        return 2

    a()
    b()
    stats_a = ProfileManager.get_region('a').get_stats()
    stats_b = ProfileManager.get_region('b').get_stats()
    assert [k[2] for k in stats_a.timings] == ['a']
    assert [k[2] for k in stats_b.timings] == ['b']


def test_line_methods_go_away_with_a_plain_session(line_session):
    @ProfileManager.profile('gone')
    def gone():
        return 1

    gone()
    region = ProfileManager.get_region('gone')
    assert callable(region.get_stats)
    ProfileManager.setup(verbose=False, flush_to_disk=False)
    assert not hasattr(region, 'get_stats')


def run_python(code, tmp_path, shadow):
    """Run code in a child whose sys.path has `shadow` (a module name)
    replaced by a module raising ImportError."""
    (tmp_path / ('%s.py' % shadow)).write_text('raise ImportError("no %s here")\n' % shadow)
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120,
                          env={**__import__('os').environ,
                               'PYTHONPATH': str(tmp_path) + ':' +
                               __import__('os').environ.get('PYTHONPATH', '')})


def test_line_profiler_missing_is_an_import_error(tmp_path):
    code = textwrap.dedent('''\
        from scope_profiler import ProfileManager
        try:
            ProfileManager.setup(use_line_profiler=True, flush_to_disk=False)
        except ImportError as e:
            print("IMPORTERROR", e)
        ProfileManager.setup(flush_to_disk=False)
        print("STILL OK")
        ''')
    proc = run_python(code, tmp_path, 'line_profiler')
    assert proc.returncode == 0, proc.stderr
    assert 'IMPORTERROR' in proc.stdout
    assert 'line_profiler' in proc.stdout and 'python3-line-profiler' in proc.stdout
    assert 'STILL OK' in proc.stdout


def test_likwid_missing_is_an_import_error(tmp_path):
    code = textwrap.dedent('''\
        from scope_profiler import ProfileManager
        try:
            ProfileManager.setup(use_likwid=True, flush_to_disk=False)
        except ImportError as e:
            print("IMPORTERROR", e)
        ''')
    proc = run_python(code, tmp_path, 'pylikwid')
    assert proc.returncode == 0, proc.stderr
    assert 'IMPORTERROR' in proc.stdout and 'pylikwid' in proc.stdout


def test_likwid_present_is_refused_clearly(tmp_path):
    (tmp_path / 'pylikwid.py').write_text('def markerinit():\n    pass\n')
    code = textwrap.dedent('''\
        import sys
        sys.path.insert(0, %r)
        from scope_profiler import ProfileManager, UnsupportedOptionError
        try:
            ProfileManager.setup(use_likwid=True, flush_to_disk=False)
        except UnsupportedOptionError as e:
            print("UNSUPPORTED", e)
        ''' % str(tmp_path))
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert 'UNSUPPORTED' in proc.stdout, proc.stderr
    assert UnsupportedOptionError  # the public name still exists
