# The current everyday API of the scope_profiler package (import
# scope_profiler as sp; sp.session/region/profile/setup/finalize, independent
# ProfileManager() instances), its lifecycle (nothing recorded before
# setup(), finalize() without setup()), get_config() and the time origin of
# get_start_times_numpy()/get_end_times_numpy().
#
# Lifecycle tests run in fresh interpreters: the state before the first
# setup() exists only once per process.

import os
import subprocess
import sys
import textwrap
import time

import pytest

import scope_profiler as sp
from scope_profiler import ProfileManager

h5py = pytest.importorskip('h5py')
np = pytest.importorskip('numpy')


def run_python(code, cwd, env=None, check=True):
    result = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=cwd,
                            capture_output=True, text=True, timeout=120,
                            env=dict(os.environ) if env is None else env)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def names_in(path):
    with h5py.File(path, 'r') as f:
        return {(v.decode() if isinstance(v, bytes) else v)
                for v in (g.attrs['name'] for g in f['rank0/regions'].values())}


def calls_in(path, name):
    with h5py.File(path, 'r') as f:
        for group in f['rank0/regions'].values():
            if group.attrs['name'] in (name, name.encode()):
                return int(group.attrs['num_calls'])
    return None


# --- the names -----------------------------------------------------------------

def test_current_names_are_the_old_ones():
    assert sp.ProfileManager is ProfileManager
    assert sp.region is ProfileManager.profile_region
    assert sp.profile_region is ProfileManager.profile_region
    assert ProfileManager.region is ProfileManager.profile_region
    assert sp.profile is ProfileManager.profile
    for name in ('setup', 'finalize', 'session', 'region', 'profile', 'get_config'):
        assert name in sp.__all__
        assert callable(getattr(sp, name))


def test_sp_session_region_profile(tmp_path, capsys):
    path = tmp_path / 'sp.h5'

    @sp.profile
    def solve():
        return 42

    @sp.profile('named')
    def other():
        pass

    with sp.session(file_path=str(path)) as manager:
        assert manager is not None
        with sp.region('assemble'):
            assert solve() == 42
        other()
        with ProfileManager.region('assemble'):
            pass
        assert sp.get_region('assemble').num_calls == 2
        assert sp.get_region('solve').num_calls == 1
    out = capsys.readouterr().out
    assert out.count('Region: assemble') == 1
    assert names_in(path) == {'assemble', 'solve', 'named'}
    assert calls_in(path, 'assemble') == 2


def test_sp_session_finalizes_when_the_block_raises(tmp_path):
    path = tmp_path / 'raised.h5'
    with pytest.raises(KeyError):
        with sp.session(file_path=str(path), verbose=False):
            with sp.region('before_error'):
                pass
            raise KeyError('x')
    assert names_in(path) == {'before_error'}


def test_sp_setup_and_finalize(tmp_path, capsys):
    path = tmp_path / 'plain.h5'
    sp.setup(file_path=str(path))
    with sp.region('r'):
        pass
    sp.finalize(verbose=False)
    assert capsys.readouterr().out == ''
    assert names_in(path) == {'r'}
    with pytest.raises(TypeError, match="did you mean 'file_path'"):
        sp.setup(filepath='x.h5')
    with pytest.raises(TypeError, match="did you mean 'file_path'"):
        sp.session(file_pth='x.h5')


# --- independent managers ------------------------------------------------------------

def test_two_independent_managers_and_the_default_one(tmp_path):
    a, b = ProfileManager(), ProfileManager()
    paths = {name: tmp_path / ('%s.h5' % name) for name in ('a', 'b', 'default')}

    @a.profile
    def a_kernel():
        pass

    @b.profile('b_kernel')
    def b_kernel():
        pass

    @sp.profile
    def default_kernel():
        pass

    with sp.session(file_path=str(paths['default']), verbose=False):
        with a.session(file_path=str(paths['a']), verbose=False):
            with b.session(file_path=str(paths['b']), verbose=False):
                for _ in range(3):
                    with a.region('a_region'), b.region('b_region'), sp.region('d_region'):
                        a_kernel()
                        b_kernel()
                        default_kernel()
                    with b.profile_region('b_region'):
                        pass
                assert a.get_region('a_region').num_calls == 3
                assert b.get_region('b_region').num_calls == 6
                assert a.get_region('b_region') is None
                assert ProfileManager.get_region('a_region') is None
                assert b.get_region('a_kernel') is None
    assert names_in(paths['a']) == {'a_kernel', 'a_region'}
    assert names_in(paths['b']) == {'b_kernel', 'b_region'}
    assert names_in(paths['default']) == {'default_kernel', 'd_region'}
    assert calls_in(paths['b'], 'b_region') == 6
    assert calls_in(paths['a'], 'a_kernel') == 3


def test_sessions_nest_in_any_order(tmp_path):
    # A default session inside an independent one and the other way round;
    # each ends with its own block and writes only its own regions.
    m = ProfileManager()
    with m.session(file_path=str(tmp_path / 'outer.h5'), verbose=False):
        with m.region('outer_only'):
            with sp.session(file_path=str(tmp_path / 'inner.h5'), verbose=False):
                with sp.region('inner_only'):
                    pass
            assert os.path.exists(tmp_path / 'inner.h5')
            assert not os.path.exists(tmp_path / 'outer.h5')
    assert names_in(tmp_path / 'outer.h5') == {'outer_only'}
    assert names_in(tmp_path / 'inner.h5') == {'inner_only'}

    with sp.session(file_path=str(tmp_path / 'd.h5'), verbose=False):
        with m.session(file_path=str(tmp_path / 'm.h5'), verbose=False):
            with m.region('in_m'), sp.region('in_d'):
                pass
        with sp.region('in_d'):
            pass
    assert names_in(tmp_path / 'm.h5') == {'in_m'}
    assert calls_in(tmp_path / 'd.h5', 'in_d') == 2


def test_independent_manager_records_nothing_before_its_setup(tmp_path, capsys):
    m = ProfileManager()
    region = m.region('early')

    @m.profile
    def early_function():
        pass

    with region:
        early_function()
    assert region.num_calls == 0
    assert m.get_region('early_function').num_calls == 0

    m.finalize(file_path=tmp_path / 'unset.h5')
    assert capsys.readouterr().out == ''
    assert names_in(tmp_path / 'unset.h5') == set()
    with region:
        pass
    assert region.num_calls == 0   # still not set up

    with m.session(file_path=str(tmp_path / 'set.h5'), verbose=False):
        with region:
            early_function()
    assert names_in(tmp_path / 'set.h5') == {'early', 'early_function'}


# --- the lifecycle of the default manager (fresh interpreters) -------------------------

def test_nothing_recorded_or_written_before_setup(tmp_path):
    result = run_python('''
        import scope_profiler as sp

        @sp.profile
        def decorated():
            return 1

        region = sp.region("taken_early")
        for _ in range(3):
            with region:
                decorated()
        print(region.num_calls, sp.get_region("decorated").num_calls)
        print(sorted(sp.get_all_regions()))
        ''', tmp_path)
    assert result.stdout.splitlines() == ['0 0', "['decorated', 'taken_early']"]
    assert os.listdir(tmp_path) == []


def test_setup_rebinds_decorators_applied_before_it(tmp_path):
    run_python('''
        import scope_profiler as sp

        @sp.profile("early")
        def early():
            pass

        early()
        sp.setup(file_path="run.h5", verbose=False)
        early()
        early()
        with sp.region("late"):
            pass
        sp.finalize()
        ''', tmp_path)
    assert calls_in(tmp_path / 'run.h5', 'early') == 2
    assert names_in(tmp_path / 'run.h5') == {'early', 'late'}


def test_finalize_without_setup_writes_metadata_only(tmp_path):
    result = run_python('''
        import scope_profiler as sp

        with sp.region("ignored"):
            pass
        sp.finalize()
        # Still not set up afterwards.
        with sp.region("ignored"):
            pass
        print(sp.get_region("ignored").num_calls)
        ''', tmp_path)
    assert result.stdout == '0\n'
    assert sorted(os.listdir(tmp_path)) == ['profiling_data.h5']
    with h5py.File(tmp_path / 'profiling_data.h5', 'r') as f:
        assert f['metadata'].attrs['mpi_size'] == 1
        assert 'python_version' in f['metadata'].attrs
        assert len(f['rank0/regions']) == 0


@pytest.mark.skipif(not hasattr(os, 'fork'), reason='needs fork()')
def test_forked_child_of_a_process_not_set_up_is_not_set_up(tmp_path):
    result = run_python('''
        import os
        import scope_profiler as sp

        pid = os.fork()
        if pid == 0:
            with sp.region("x"):
                pass
            print("child", sp.get_region("x").num_calls, sp.get_config().profiling_activated,
                  flush=True)
            sp.finalize()   # metadata only, named after the child (the library's fork rule)
            os._exit(0)
        os.waitpid(pid, 0)
        print("parent")
        ''', tmp_path)
    assert result.stdout.splitlines() == ['child 0 True', 'parent']
    files = os.listdir(tmp_path)
    assert len(files) == 1 and files[0].startswith('profiling_data.'), files
    with h5py.File(tmp_path / files[0], 'r') as f:
        assert len(f['rank0/regions']) == 0


def test_session_set_up_by_c_code_first_is_recorded_into(tmp_path):
    # C code calling sp_profile_manager_setup() on the default manager
    # before the package is imported: the session runs, Python records into
    # it (the native Manager.setup() is that C call).
    result = run_python('''
        import _scope_profiler_native as native
        native.Manager.get_default().setup(file_path="c.h5", verbose=False)

        import scope_profiler as sp
        with sp.region("py"):
            pass
        print(sp.get_region("py").num_calls)
        sp.finalize(verbose=False)
        ''', tmp_path)
    assert result.stdout == '1\n'
    assert names_in(tmp_path / 'c.h5') == {'py'}


def test_session_set_up_by_c_code_later_is_recorded_into(tmp_path):
    result = run_python('''
        import scope_profiler as sp
        import _scope_profiler_native as native

        with sp.region("py"):
            pass
        native.Manager.get_default().setup(file_path="c.h5", verbose=False)
        with sp.region("py"):
            pass
        print(sp.get_region("py").num_calls)
        sp.finalize(verbose=False)
        ''', tmp_path)
    assert result.stdout == '1\n'
    assert calls_in(tmp_path / 'c.h5', 'py') == 1


def test_c_regions_of_the_implicit_session_keep_it(tmp_path):
    # C code that recorded into the default manager's implicit session
    # (no setup()) before the import: the package does not switch it off.
    result = run_python('''
        import _scope_profiler_native as native
        manager = native.Manager.get_default()
        c_region = manager.profile_region("from_c")
        native.enter(c_region)
        native.exit(c_region)

        import scope_profiler as sp
        with sp.region("py"):
            pass
        print(sp.get_region("from_c").num_calls, sp.get_region("py").num_calls)
        ''', tmp_path)
    assert result.stdout == '1 1\n'


# --- get_config() ------------------------------------------------------------------------

def test_get_config_has_the_package_names(tmp_path):
    path = tmp_path / 'cfg.h5'
    sp.setup(file_path=str(path), buffer_limit=1234, time_trace=True, flush_to_disk=True,
             verbose=False)
    config = sp.get_config()
    assert config.file_path == str(path)
    assert config.buffer_limit == 1234
    assert config.time_trace is True
    assert config.flush_to_disk is True
    assert config.profiling_activated is True
    assert config.use_likwid is False
    assert config.use_line_profiler is False
    assert config.recursive_profile is False
    assert config.config_creation_time == ProfileManager.get_start_time()
    assert 0 < config.config_creation_time <= time.perf_counter_ns()
    assert ProfileManager.get_config() == config

    sp.setup(recursive_profile=True, profiling_activated=False, flush_to_disk=False)
    config = sp.get_config()
    assert config.recursive_profile is True
    assert config.profiling_activated is False
    assert config.flush_to_disk is False
    sp.setup(flush_to_disk=False, verbose=False)
    assert sp.get_config().recursive_profile is False


def test_setup_takes_the_package_positional_order(tmp_path):
    path = tmp_path / 'positional.h5'
    # profiling_activated, use_likwid, use_line_profiler, recursive_profile,
    # time_trace, flush_to_disk, buffer_limit, file_path
    sp.setup(True, False, False, False, False, True, 77, str(path))
    config = sp.get_config()
    assert (config.profiling_activated, config.time_trace, config.flush_to_disk,
            config.buffer_limit, config.file_path) == (True, False, True, 77, str(path))
    ProfileManager.setup(True, False, False, False, True, False)
    assert sp.get_config().time_trace is True and sp.get_config().flush_to_disk is False
    with pytest.raises(TypeError, match='multiple values'):
        sp.setup(True, profiling_activated=False)
    with pytest.raises(TypeError, match='at most 8'):
        sp.setup(*([False] * 9))
    sp.setup(flush_to_disk=False, verbose=False)


def test_get_config_before_setup_gives_the_defaults(tmp_path):
    result = run_python('''
        import scope_profiler as sp
        c = sp.get_config()
        print(c.profiling_activated, c.file_path, c.buffer_limit, c.time_trace,
              c.flush_to_disk, c.recursive_profile, c.config_creation_time > 0)
        ''', tmp_path)
    assert result.stdout.split() == ['True', 'profiling_data.h5', '100000', 'True', 'True',
                                     'False', 'True']


# --- the time origin of the numpy accessors --------------------------------------------

def test_start_and_end_times_are_since_config_creation_time():
    sp.setup(flush_to_disk=False, verbose=False)
    origin = sp.get_config().config_creation_time
    before = time.perf_counter_ns()
    region = sp.region('timed')
    for _ in range(3):
        with region:
            time.sleep(0.001)
    after = time.perf_counter_ns()

    starts = region.get_start_times_numpy()
    ends = region.get_end_times_numpy()
    durations = region.get_durations_numpy()
    assert starts.dtype == ends.dtype == durations.dtype == np.int64
    assert starts.shape == ends.shape == durations.shape == (3,)
    # Spec: buffered ns minus config.config_creation_time.
    assert (starts >= before - origin).all() and (ends <= after - origin).all()
    assert (starts >= 0).all()
    assert np.array_equal(ends - starts, durations)
    assert (durations >= 1_000_000).all()
    # The absolute times are the library's raw columns.
    raw = np.frombuffer(region.start_times, dtype=np.int64)
    assert np.array_equal(raw - origin, starts)
    # The same object, and the same times, however the region is reached.
    assert sp.get_region('timed') is region
    assert np.array_equal(sp.get_all_regions()['timed'].get_start_times_numpy(), starts)
    # Writable, as the package's arrays are.
    starts.sort()


def test_independent_manager_times_are_since_its_own_session():
    m = ProfileManager()
    sp.setup(flush_to_disk=False, verbose=False)
    time.sleep(0.02)
    m.setup(flush_to_disk=False, verbose=False)
    with m.region('mine'):
        pass
    origin = m.get_config().config_creation_time
    assert origin - sp.get_config().config_creation_time >= 20_000_000
    starts = m.get_region('mine').get_start_times_numpy()
    assert 0 <= starts[0] < 20_000_000


def test_region_made_by_c_code_gets_the_same_origin():
    import _scope_profiler_native as native

    sp.setup(flush_to_disk=False, verbose=False)
    c_region = native.Manager.get_default().profile_region('c_made')
    native.enter(c_region)
    native.exit(c_region)
    region = sp.get_region('c_made')
    assert region is c_region
    origin = sp.get_config().config_creation_time
    assert region.get_start_times_numpy()[0] == (
        np.frombuffer(region.start_times, dtype=np.int64)[0] - origin)


# --- MPI: one merged summary, printed by rank 0 ---------------------------------------

WORKER = '''
import os, sys
import scope_profiler as sp

rank = int(os.environ["OMPI_COMM_WORLD_RANK"])
sp.setup(file_path=sys.argv[1])
for _ in range((rank + 1) * 10):
    with sp.region("step"):
        pass
with sp.region("rank-%d" % rank):
    pass
sp.finalize()
'''


def launcher_env(rank, size):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OMPI_', 'PMI', 'PMIX_', 'SLURM_', 'SCOPE_PROFILER_MPI'))}
    env.update(OMPI_COMM_WORLD_RANK=str(rank), OMPI_COMM_WORLD_SIZE=str(size),
               PMIX_NAMESPACE='test-api-%d' % os.getpid())
    return env


def test_only_rank_0_prints_one_merged_summary(tmp_path):
    path = tmp_path / 'ranks.h5'
    script = tmp_path / 'worker.py'
    script.write_text(WORKER)
    procs = [subprocess.Popen([sys.executable, str(script), str(path)], cwd=tmp_path,
                              env=launcher_env(r, 3), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for r in range(3)]
    outputs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    assert outputs[1][0] == '' and outputs[2][0] == ''
    summary = outputs[0][0]
    assert summary.count('Region: step') == 1
    # Total Calls = round(pooled count / number of ranks): (10+20+30)/3.
    block = summary.split('Region: step\n')[1].split('-' * 40)[0]
    assert '  Total Calls : 20\n' in block
    for r in range(3):
        assert summary.count('Region: rank-%d\n' % r) == 1
    # Rank 0's regions in its order first, then the other ranks' own.
    assert (summary.index('Region: step\n') < summary.index('Region: rank-0\n') <
            summary.index('Region: rank-1\n'))
    assert '  Total Calls : 0\n' in summary.split('Region: rank-1\n')[1].split('-' * 40)[0]

    # The times are those of the merged file, pooled over the ranks.
    with h5py.File(path, 'r') as f:
        durations = np.concatenate([
            f['rank%d/regions/step/end_times' % r][()] - f['rank%d/regions/step/start_times' % r][()]
            for r in range(3)])
    assert durations.size == 60
    total = float(block.split('Total Time  : ')[1].split(' s')[0])
    assert total == pytest.approx(durations.sum() / 1e9, rel=1e-6)
    maximum = float(block.split('Max Time    : ')[1].split(' s')[0])
    assert maximum == pytest.approx(durations.max() / 1e9, rel=1e-6)


# --- `scope-profiler run` owns the lifecycle of a script written with sp ----------------

APP = '''
import scope_profiler as sp

@sp.profile
def kernel():
    pass

def main():
    with sp.region("main_loop"):
        for _ in range(4):
            kernel()

if __name__ == "__main__":
    main()
'''


def test_plain_run_of_an_sp_script_records_nothing_and_writes_nothing(tmp_path):
    (tmp_path / 'app.py').write_text(APP)
    result = subprocess.run([sys.executable, 'app.py'], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ''
    assert sorted(os.listdir(tmp_path)) == ['app.py']


def test_run_records_an_sp_script_and_ignores_its_session_calls(tmp_path):
    (tmp_path / 'app.py').write_text(APP + '''
    with sp.session(file_path="own.h5"):
        main()
    sp.setup(file_path="other.h5")
    sp.finalize()
'''.replace('\n    ', '\n'))
    result = subprocess.run([sys.executable, '-m', 'scope_profiler', 'run', '-q', '-o', 'run.h5',
                             'app.py'], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path)) == ['app.py', 'run.h5']
    assert calls_in(tmp_path / 'run.h5', 'kernel') == 8
    assert calls_in(tmp_path / 'run.h5', 'main_loop') == 2
