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
    @ProfileManager.profile('lp_gone')
    def gone():
        return 1

    gone()
    region = ProfileManager.get_region('lp_gone')
    assert callable(region.get_stats)
    ProfileManager.setup(verbose=False, flush_to_disk=False)
    assert not hasattr(region, 'get_stats')


# The context form: `with profile_region(name):` enables the region's line
# profiler around the block; functions=[...] and add_function() register.

def body_work(n):
    total = 0
    for i in range(n):
        total += i
    return total


def other_work(n):
    return [i * 2 for i in range(n)]


def line_hits(stats, func):
    """{line offset from the def: hits} of func in a LineStats."""
    code = func.__code__
    for (filename, first, name), lines in stats.timings.items():
        if name == func.__name__ and first == code.co_firstlineno:
            return {line - first: count for line, count, _ in lines}
    return {}


def test_context_form_times_the_block(line_session, regions_in):
    region = ProfileManager.profile_region('block', functions=[body_work])
    body_work(10)                  # outside the block: not timed
    with ProfileManager.profile_region('block'):
        body_work(20)
    with region:
        body_work(5)
    assert region.num_calls == 2
    hits = line_hits(region.get_stats(), body_work)
    assert hits[3] == 25           # the loop body: 20 + 5, not the 10 outside
    assert sys.gettrace() is None  # disabled again after the block
    ProfileManager.finalize(verbose=False)
    assert len(regions_in(line_session)['block']['start_times']) == 2


def test_functions_keyword_on_a_cached_region(line_session):
    region = ProfileManager.profile_region('cached')   # now in the C cache
    assert ProfileManager.profile_region('cached', functions=[other_work]) is region
    assert ProfileManager.profile_region('cached', [body_work]) is region
    with region:
        other_work(4)
        body_work(3)
    stats = region.get_stats()
    assert line_hits(stats, other_work)[1] == 1
    assert line_hits(stats, body_work)[3] == 3


def test_add_function_on_a_region(line_session):
    region = ProfileManager.profile_region('added')
    region.add_function(body_work)
    with region:
        body_work(7)
    assert line_hits(region.get_stats(), body_work)[3] == 7
    with pytest.raises(TypeError):
        region.add_function(len)


def test_region_fetched_before_setup(tmp_path):
    early = ProfileManager.profile_region('early')
    ProfileManager.setup(use_line_profiler=True, verbose=False, flush_to_disk=False)
    try:
        early.add_function(body_work)
        with early:
            body_work(6)
        assert early.num_calls == 1
        assert line_hits(early.get_stats(), body_work)[3] == 6
        assert sys.gettrace() is None
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)
    # Line profiling off again: the same region times blocks, nothing more.
    early.add_function(body_work)       # ignored without line profiling
    with early:
        body_work(2)
    assert early.num_calls == 1
    assert not hasattr(early, 'get_stats')
    assert sys.gettrace() is None


def test_functions_ignored_without_line_profiler(pm):
    region = pm.profile_region('plain', functions=[body_work])
    with region:
        body_work(3)
    assert region.num_calls == 1
    assert not hasattr(region, 'get_stats')
    assert sys.gettrace() is None


def test_block_exception_still_disables_the_profiler(line_session):
    region = ProfileManager.profile_region('raising', functions=[body_work])
    with pytest.raises(ZeroDivisionError):
        with region:
            body_work(2)
            1 / 0
    assert sys.gettrace() is None
    assert region.num_calls == 1
    assert line_hits(region.get_stats(), body_work)[3] == 2


def test_new_session_inside_a_block_stops_tracing(line_session):
    region = ProfileManager.profile_region('cut', functions=[body_work])
    with region:
        ProfileManager.setup(verbose=False, flush_to_disk=False)
    assert sys.gettrace() is None


def test_decorated_and_block_regions_share_the_profiler(line_session):
    @ProfileManager.profile('shared')
    def shared(n):
        return body_work(n)

    shared(1)
    region = ProfileManager.profile_region('shared')
    region.add_function(other_work)
    with region:
        other_work(3)
    stats = region.get_stats()
    assert line_hits(stats, other_work)[1] == 1
    assert [k[2] for k in stats.timings if k[2] == 'shared'] == ['shared']


def test_decorated_generator_is_line_profiled_per_step(line_session):
    @ProfileManager.profile('steps')
    def steps(n):
        for i in range(n):
            doubled = i * 2
            yield doubled

    import inspect
    assert inspect.isgeneratorfunction(steps)
    assert list(steps(4)) == [0, 2, 4, 6]
    assert sys.gettrace() is None        # off between steps and after
    region = ProfileManager.get_region('steps')
    assert region.num_calls == 5         # 4 yields + the end
    hits = line_hits(region.get_stats(), steps.__wrapped__)
    assert hits[2] == 4 and hits[3] == 4


def test_decorated_coroutine_is_line_profiled(line_session):
    asyncio = pytest.importorskip('asyncio')

    @ProfileManager.profile('co')
    async def co(n):
        total = 0
        for i in range(n):
            total += i
            await asyncio.sleep(0)
        return total

    assert asyncio.iscoroutinefunction(co)
    assert asyncio.run(co(3)) == 3
    assert sys.gettrace() is None
    hits = line_hits(ProfileManager.get_region('co').get_stats(), co.__wrapped__)
    assert hits[3] == 3


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
