# `python3 -m scope_profiler run` and ProfileManager.run_script(): an
# unmodified script profiled, checked by reading the session with h5py.

import os
import subprocess
import sys
import textwrap

import pytest

from scope_profiler import ProfileManager
from scope_profiler.__main__ import main

pytest.importorskip('h5py')

APP = textwrap.dedent('''\
    import json
    import sys

    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    class Shape:
        sides = [s for s in range(4)]

        def area(self):
            return sum(x * x for x in range(3))

    def gen(n):
        for i in range(n):
            yield i

    def outer():
        def inner():
            return 1
        return inner() + (lambda: 2)()

    def fails():
        raise ValueError("boom from the script")

    print("NAME", __name__)
    print("ARGV", sys.argv[1:])
    print("ARGV0", sys.argv[0])
    print("PATH0", sys.path[0])
    fib(10)
    Shape().area()
    list(gen(3))
    outer()
    json.dumps({"a": [1, 2]})
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "exit3":
        sys.exit(3)
    if mode == "raise":
        fails()
    ''')


@pytest.fixture
def app(tmp_path):
    path = tmp_path / 'app.py'
    path.write_text(APP)
    return path


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, '-m', 'scope_profiler', *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


def counts(path, regions_in):
    return {name: len(columns['start_times']) for name, columns in regions_in(path).items()}


def test_run_records_the_scripts_functions(app, tmp_path, regions_in):
    proc = run_cli('run', '-q', app, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert 'NAME __main__' in proc.stdout
    assert "ARGV []" in proc.stdout
    assert 'ARGV0 %s' % app in proc.stdout
    assert 'PATH0 %s' % tmp_path in proc.stdout
    got = counts(tmp_path / 'profiling_data.h5', regions_in)
    assert got['app.py'] == 1
    assert got['__main__.<module>'] == 1
    assert got['__main__.fib'] == 177            # fib(10)
    assert got['__main__.Shape'] == 1            # class body
    assert got['__main__.Shape.<listcomp>'] == 1
    assert got['__main__.Shape.area'] == 1
    assert got['__main__.Shape.area.<locals>.<genexpr>'] == 4
    assert got['__main__.gen'] == 4              # one call per resumption
    assert got['__main__.outer'] == 1
    assert got['__main__.outer.<locals>.inner'] == 1
    assert got['__main__.outer.<locals>.<lambda>'] == 1
    # Standard library and the package itself: not without --all.
    assert not any(name.startswith(('json', 'runpy', 'scope_profiler')) for name in got)
    # Quiet: no summary.
    assert 'Total Calls' not in proc.stdout and 'fib' not in proc.stdout


def test_run_nesting(app, tmp_path, regions_in):
    assert run_cli('run', '-q', app, cwd=tmp_path).returncode == 0
    regions = regions_in(tmp_path / 'profiling_data.h5')
    outer = regions['app.py']
    body = regions['__main__.<module>']
    assert outer['start_times'][0] <= body['start_times'][0]
    assert body['end_times'][0] <= outer['end_times'][0]
    fib = regions['__main__.fib']
    assert (fib['start_times'] >= body['start_times'][0]).all()
    assert (fib['end_times'] <= body['end_times'][0]).all()


def test_run_all_keeps_the_standard_library(app, tmp_path, regions_in):
    assert run_cli('run', '-q', '--all', app, cwd=tmp_path).returncode == 0
    got = counts(tmp_path / 'profiling_data.h5', regions_in)
    assert got['json.dumps'] == 1
    assert any(name.startswith('runpy.') for name in got)
    assert not any(name.startswith('scope_profiler') for name in got)


def test_run_outfile_args_and_summary(app, tmp_path, regions_in):
    out = tmp_path / 'sub' / 'out.h5'
    out.parent.mkdir()
    proc = run_cli('run', '-o', out, app, 'a', '-q', '--x', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # Everything after the script is the script's.
    assert "ARGV ['a', '-q', '--x']" in proc.stdout
    assert not (tmp_path / 'profiling_data.h5').exists()
    assert counts(out, regions_in)['__main__.fib'] == 177
    # Not quiet: the summary names the regions.
    assert '__main__.fib' in proc.stdout


def test_run_buffer_limit(app, tmp_path, regions_in):
    proc = run_cli('run', '-q', '--buffer-limit', '8', app, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert counts(tmp_path / 'profiling_data.h5', regions_in)['__main__.fib'] == 177
    assert run_cli('run', '--buffer-limit', 'x', app, cwd=tmp_path).returncode == 2


def test_run_sys_exit_status_and_session(app, tmp_path, regions_in):
    proc = run_cli('run', '-q', app, 'exit3', cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert counts(tmp_path / 'profiling_data.h5', regions_in)['__main__.fib'] == 177


def test_run_exception_traceback_exit_1_and_session(app, tmp_path, regions_in):
    proc = run_cli('run', '-q', app, 'raise', cwd=tmp_path)
    assert proc.returncode == 1
    assert 'Traceback' in proc.stderr
    assert 'ValueError: boom from the script' in proc.stderr
    got = counts(tmp_path / 'profiling_data.h5', regions_in)
    assert got['__main__.fails'] == 1
    assert got['__main__.<module>'] == 1


def test_run_missing_script(tmp_path):
    proc = run_cli('run', 'nothere.py', cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "scope-profiler run: can't open file 'nothere.py'"
    assert not (tmp_path / 'profiling_data.h5').exists()


def test_main_usage(capsys):
    assert main([]) == 1
    assert 'run' in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(['-h'])
    assert info.value.code == 0
    assert 'pproc' in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(['bogus'])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(['run', '-h'])
    assert info.value.code == 0
    assert '--buffer-limit' in capsys.readouterr().out


def test_script_with_its_own_regions_and_no_setup(tmp_path, regions_in):
    script = tmp_path / 'own.py'
    script.write_text(textwrap.dedent('''\
        from scope_profiler import ProfileManager

        @ProfileManager.profile("solve")
        def solve():
            return step()

        def step():
            return 1

        for _ in range(3):
            solve()
        with ProfileManager.profile_region("block"):
            step()
        '''))
    proc = run_cli('run', '-q', script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = counts(tmp_path / 'profiling_data.h5', regions_in)
    assert got['solve'] == 3
    assert got['block'] == 1
    assert got['__main__.step'] == 4
    # The decorated function is recorded once per call, by its own region.
    assert '__main__.solve' not in got


def test_script_calling_setup_and_finalize(tmp_path, regions_in):
    script = tmp_path / 'selfmanaged.py'
    script.write_text(textwrap.dedent('''\
        from scope_profiler import ProfileManager

        ProfileManager.setup(file_path="own.h5")

        @ProfileManager.profile("work")
        def work():
            return 1

        work()
        ProfileManager.finalize()
        work()
        '''))
    proc = run_cli('run', '-q', script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # run owns the session: the script's setup()/finalize() are ignored,
    # said once each on stderr; everything is in run's file.
    assert 'setup() is ignored' in proc.stderr
    assert 'finalize() is ignored' in proc.stderr
    assert not (tmp_path / 'own.h5').exists()
    got = counts(tmp_path / 'profiling_data.h5', regions_in)
    assert got['work'] == 2
    assert got['selfmanaged.py'] == 1


def test_run_script_api(app, tmp_path, regions_in, capsys):
    out = tmp_path / 'api.h5'
    ProfileManager.setup(verbose=False, file_path=str(out))
    argv, path = list(sys.argv), list(sys.path)
    try:
        ProfileManager.run_script(str(app), ['x', 'y'], region_name='whole')
        with pytest.raises(SystemExit) as info:
            ProfileManager.run_script(str(app), ['exit3'])
        assert info.value.code == 3
        ProfileManager.finalize()
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)
    assert sys.argv == argv and sys.path == path
    assert "ARGV ['x', 'y']" in capsys.readouterr().out
    got = counts(out, regions_in)
    assert got['whole'] == 1
    assert got['app.py'] == 1
    assert got['__main__.fib'] == 2 * 177
    assert sys.getprofile() is None


def test_run_script_missing_file():
    with pytest.raises(FileNotFoundError):
        ProfileManager.run_script(os.path.join('no', 'such.py'))


def test_run_threads_record_through_decorated_functions(tmp_path, regions_in):
    # run sets up recursive mode: a decorated function called on another
    # thread records what it calls there; undecorated threads do not.
    script = tmp_path / 'threads.py'
    script.write_text(textwrap.dedent('''\
        import threading
        from scope_profiler import ProfileManager

        def leaf():
            return 1

        @ProfileManager.profile("worker")
        def worker():
            leaf()

        def bare():
            leaf()

        for target in (worker, bare):
            t = threading.Thread(target=target)
            t.start()
            t.join()
        '''))
    proc = run_cli('run', '-q', script, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = counts(tmp_path / 'profiling_data.h5', regions_in)
    assert got['worker'] == 1
    assert got['__main__.leaf'] == 1
    assert '__main__.bare' not in got
