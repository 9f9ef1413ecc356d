# The scope_profiler package: the Python scope-profiler API.

import asyncio
import errno
import inspect
import threading
import time

import pytest

from scope_profiler import ProfileManager, UnsupportedOptionError


def calls(name, manager=ProfileManager):
    region = manager.get_region(name)
    return 0 if region is None else region.num_calls


# --- decorator ---------------------------------------------------------------

def test_decorator_with_and_without_name(pm):
    @pm.profile('solver')
    def solve(a, b=2):
        """Solve it."""
        return a * b

    @pm.profile
    def unnamed():
        return 'x'

    assert solve(3) == 6
    assert solve(3, b=3) == 9
    assert unnamed() == 'x'
    assert calls('solver') == 2
    assert calls('unnamed') == 1
    # functools.wraps
    assert solve.__name__ == 'solve'
    assert solve.__doc__ == 'Solve it.'
    assert solve.__wrapped__(2) == 4
    assert inspect.signature(solve) == inspect.signature(solve.__wrapped__)
    assert unnamed.__qualname__.endswith('unnamed')


def test_decorator_on_methods(pm):
    class Solver:
        factor = 3

        @pm.profile('method')
        def method(self, x):
            return self.factor * x

        @pm.profile('static')
        @staticmethod
        def static(x):
            return -x

        @staticmethod
        @pm.profile('static_inner')
        def static_inner(x):
            return x + 1

        @pm.profile('klass')
        @classmethod
        def klass(cls, x):
            return cls.factor + x

        @pm.profile
        @classmethod
        def unnamed_classmethod(cls):
            return cls

    solver = Solver()
    assert solver.method(2) == 6
    assert Solver.static(2) == solver.static(2) == -2
    assert Solver.static_inner(1) == 2
    assert Solver.klass(1) == solver.klass(1) == 4
    assert Solver.unnamed_classmethod() is Solver
    assert calls('method') == 1
    assert calls('static') == 2
    assert calls('static_inner') == 1
    assert calls('klass') == 2
    assert calls('unnamed_classmethod') == 1
    assert Solver.__dict__['static'].__func__.__name__ == 'static'


def test_exception_propagates_and_region_closes(pm):
    @pm.profile('boom')
    def boom():
        raise KeyError('k')

    for _ in range(3):
        with pytest.raises(KeyError):
            boom()
    assert calls('boom') == 3
    assert len(pm.get_region('boom').get_durations_numpy()) == 3


def test_recursion(pm):
    @pm.profile
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    assert fib(10) == 55
    assert calls('fib') == 177
    durations = pm.get_region('fib').get_durations_numpy()
    assert durations.max() >= durations.min() >= 0


def test_generator_timed_per_step(pm):
    @pm.profile('gen')
    def gen(n):
        for i in range(n):
            time.sleep(0.002)
            yield i
        return 'done'

    g = gen(3)
    assert inspect.isgeneratorfunction(gen)
    assert calls('gen') == 0  # creating runs nothing
    time.sleep(0.02)  # the consumer's time is not counted
    assert list(g) == [0, 1, 2]
    # three steps that yield, one that returns
    assert calls('gen') == 4
    durations = pm.get_region('gen').get_durations_numpy()
    assert durations.sum() < 15_000_000
    assert (durations[:3] >= 2_000_000).all()

    def delegate():
        result = yield from gen(1)
        return result

    with pytest.raises(StopIteration) as stop:
        d = delegate()
        next(d)
        next(d)
    assert stop.value.value == 'done'


def test_generator_send_throw_close(pm):
    @pm.profile('echo')
    def echo():
        received = []
        try:
            while True:
                try:
                    value = yield len(received)
                except ValueError:
                    value = 'thrown'
                received.append(value)
        finally:
            received.append('closed')

    g = echo()
    assert next(g) == 0
    assert g.send('a') == 1
    assert g.throw(ValueError) == 2
    g.close()
    assert calls('echo') == 4

    g = echo()
    next(g)
    with pytest.raises(KeyError):
        g.throw(KeyError('out'))
    assert calls('echo') == 6


def test_coroutine_timed_to_completion(pm):
    @pm.profile('coro')
    async def coro(x):
        await asyncio.sleep(0.01)
        return x * 2

    assert inspect.iscoroutinefunction(coro)
    c = coro(2)
    time.sleep(0.02)  # created, not running: not measured
    assert calls('coro') == 0
    assert asyncio.run(c) == 4
    assert calls('coro') == 1
    duration = pm.get_region('coro').get_durations_numpy()[0]
    assert 10_000_000 <= duration < 20_000_000

    @pm.profile('coro_fails')
    async def fails():
        await asyncio.sleep(0)
        raise RuntimeError('x')

    with pytest.raises(RuntimeError):
        asyncio.run(fails())
    assert calls('coro_fails') == 1


def test_concurrent_coroutines_are_all_counted(pm):
    @pm.profile('task')
    async def task(delay):
        await asyncio.sleep(delay)

    async def main():
        await asyncio.gather(*(task(0.001 * i) for i in range(5)))

    asyncio.run(main())
    assert calls('task') == 5


def test_async_generator_timed_per_step(pm):
    @pm.profile('agen')
    async def agen(n):
        for i in range(n):
            await asyncio.sleep(0)
            yield i

    async def main():
        return [x async for x in agen(3)]

    assert inspect.isasyncgenfunction(agen)
    assert asyncio.run(main()) == [0, 1, 2]
    assert calls('agen') == 4


def test_profile_recursive_false_and_true(pm):
    # Recursive profiling itself is tested in test_recursive.py.
    @pm.profile('ok', recursive=False)
    def ok():
        pass

    @pm.profile('rec', recursive=True)
    def rec():
        ok()

    ok()
    rec()
    assert calls('ok') == 2
    assert calls('rec') == 1


def test_profile_rejects_bad_names(pm):
    with pytest.raises(TypeError):
        pm.profile(42)
    with pytest.raises(ValueError):
        pm.profile_region('')
    with pytest.raises(TypeError):
        pm.profile_region(None)


# --- decorators across setup() -------------------------------------------------

def test_decorator_applied_before_setup_survives_setups(tmp_path, regions_in):
    @ProfileManager.profile('early')
    def early():
        return 1

    ProfileManager.setup(file_path=str(tmp_path / 'one.h5'), verbose=False)
    early()
    early()
    assert calls('early') == 2
    ProfileManager.finalize()

    ProfileManager.setup(file_path=str(tmp_path / 'two.h5'), verbose=False)
    # The decorated region is known with zero calls, as in the Python package.
    assert ProfileManager.get_region('early') is not None
    assert calls('early') == 0
    early()
    assert calls('early') == 1
    ProfileManager.finalize()

    assert len(regions_in(tmp_path / 'one.h5')['early']['start_times']) == 2
    assert len(regions_in(tmp_path / 'two.h5')['early']['start_times']) == 1


def test_setup_clears_regions(pm):
    with pm.profile_region('gone'):
        pass
    assert pm.get_region('gone') is not None
    pm.setup(verbose=False)
    assert pm.get_region('gone') is None
    assert 'gone' not in pm.get_all_regions()
    with pm.profile_region('gone'):
        pass
    assert calls('gone') == 1


# --- context manager -------------------------------------------------------------

def test_profile_region_context_manager(pm):
    with pm.profile_region('rhs') as region:
        assert region is pm.get_region('rhs')
    with pm.profile_region(region_name='rhs'):
        pass
    region = pm.profile_region('rhs')
    for _ in range(3):
        with region:
            pass
    assert calls('rhs') == 5


def test_decorator_and_context_manager_share_a_region(pm):
    @pm.profile('compute')
    def compute(data):
        for _ in data:
            with pm.profile_region('compute'):
                pass

    compute([1, 2, 3])
    assert calls('compute') == 4


def test_nesting(pm):
    with pm.profile_region('outer'):
        with pm.profile_region('inner'):
            time.sleep(0.001)
    outer = pm.get_region('outer')
    inner = pm.get_region('inner')
    assert outer.get_start_times_numpy()[0] <= inner.get_start_times_numpy()[0]
    assert inner.get_end_times_numpy()[0] <= outer.get_end_times_numpy()[0]


def test_threads(pm):
    @pm.profile('threaded')
    def work():
        time.sleep(0.001)

    def loop():
        for _ in range(20):
            work()

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls('threaded') == 80
    assert len(set(pm.get_region('threaded').get_thread_ids_numpy().tolist())) == 4


# --- lookups -----------------------------------------------------------------------

def test_get_region_and_get_all_regions(pm):
    assert pm.get_region('unknown') is None
    with pm.profile_region('a'):
        pass
    regions = pm.get_all_regions()
    assert isinstance(regions, dict)
    assert regions['a'].num_calls == 1
    for name, region in regions.items():
        assert region.name == name


# --- setup() options ---------------------------------------------------------------

def test_setup_options(tmp_path):
    ProfileManager.setup(enabled=True, time_trace=True, flush_to_disk=True,
                         buffer_limit=10, file_path=tmp_path / 'p.h5', verbose=False)
    config = ProfileManager.get_config()
    assert config.buffer_limit == 10
    assert config.file_path == str(tmp_path / 'p.h5')
    assert config.flush_to_disk is True
    assert config.enabled is config.time_trace is True
    assert config.verbose is False
    # A snapshot: changed only through setup().
    with pytest.raises(AttributeError):
        config.buffer_limit = 5
    ProfileManager.setup(buffer_limit=7, verbose=False)
    assert config.buffer_limit == 10
    assert ProfileManager.get_config().buffer_limit == 7


def test_setup_python_package_aliases():
    ProfileManager.setup(profiling_activated=False, verbose=False)
    assert ProfileManager.get_config().enabled is False
    assert ProfileManager.get_config().profiling_activated is False
    with ProfileManager.profile_region('off'):
        pass
    assert calls('off') == 0

    ProfileManager.setup(deactivate_profiling=False, deactivate_file_output=True, verbose=False)
    config = ProfileManager.get_config()
    assert config.enabled is True
    assert config.flush_to_disk is False

    with pytest.raises(ValueError, match='contradicts'):
        ProfileManager.setup(enabled=True, profiling_activated=False)


def test_setup_accepts_python_package_keywords_when_off():
    ProfileManager.setup(
        profiling_activated=True, use_likwid=False, use_line_profiler=False,
        recursive_profile=False, time_trace=True, flush_to_disk=False,
        buffer_limit=100_000, file_path='profiling_data.h5',
        use_memray=False, use_nvtx=False, use_gpu_timing=False,
        gpu_timing_backend='auto', aggregation_mode=False, perf_events=None,
        track_threads=True, track_async=False, capture_region_source=False,
        metadata_detail='minimal', hdf5_compression=None, label='run A',
        verbose=False,
    )


@pytest.mark.parametrize('option', ['use_memray', 'aggregation_mode', 'use_nvtx'])
def test_unsupported_feature_is_a_clear_error_when_on(option):
    with pytest.raises(UnsupportedOptionError, match=option) as info:
        ProfileManager.setup(**{option: True})
    assert isinstance(info.value, NotImplementedError)


@pytest.mark.parametrize('typo, suggestion', [
    ('file_pth', 'file_path'),
    ('buffer_limt', 'buffer_limit'),
    ('timetrace', 'time_trace'),
    ('use_likwd', 'use_likwid'),
    ('verbos', 'verbose'),
])
def test_unknown_keyword_names_the_closest(typo, suggestion):
    with pytest.raises(TypeError, match="did you mean '%s'" % suggestion):
        ProfileManager.setup(**{typo: True})


def test_bad_values():
    with pytest.raises(ValueError):
        ProfileManager.setup(buffer_limit=0)
    with pytest.raises(TypeError):
        ProfileManager.setup(buffer_limit='10')
    with pytest.raises(TypeError):
        ProfileManager.setup(time_trace='yes')


def test_time_trace_off_counts_only(pm):
    pm.setup(time_trace=False, verbose=False)
    with pm.profile_region('counted'):
        pass
    assert calls('counted') == 1
    pm.setup(verbose=False)


# --- finalize / summary / session ---------------------------------------------------

def test_finalize_writes_file_and_prints_summary(tmp_path, capsys, regions_in):
    ProfileManager.setup(file_path=str(tmp_path / 'out.h5'))
    with ProfileManager.profile_region('written'):
        pass
    ProfileManager.finalize()
    out = capsys.readouterr().out
    assert 'written' in out
    assert len(regions_in(tmp_path / 'out.h5')['written']['start_times']) == 1


def test_finalize_verbose_keyword(tmp_path, capsys):
    ProfileManager.setup(file_path=str(tmp_path / 'quiet.h5'))
    with ProfileManager.profile_region('quiet'):
        pass
    ProfileManager.finalize(verbose=False)
    assert capsys.readouterr().out == ''

    ProfileManager.setup(file_path=str(tmp_path / 'loud.h5'), verbose=False)
    with ProfileManager.profile_region('loud'):
        pass
    ProfileManager.finalize(verbose=True)
    assert 'loud' in capsys.readouterr().out


def test_finalize_file_path_keyword(tmp_path, regions_in):
    ProfileManager.setup(verbose=False)
    with ProfileManager.profile_region('elsewhere'):
        pass
    ProfileManager.finalize(file_path=tmp_path / 'elsewhere.h5')
    assert 'elsewhere' in regions_in(tmp_path / 'elsewhere.h5')
    assert not (tmp_path / 'profiling_data.h5').exists()


def test_finalize_in_memory_writes_nothing(tmp_path):
    ProfileManager.setup(flush_to_disk=False, verbose=False)
    with ProfileManager.profile_region('memory'):
        pass
    ProfileManager.finalize()
    assert list(tmp_path.iterdir()) == []
    # the data stays readable
    assert calls('memory') == 1


def test_finalize_error_carries_library_message(tmp_path):
    from scope_profiler import ProfilerError

    ProfileManager.setup(file_path=str(tmp_path / 'no' / 'such' / 'dir.h5'), verbose=False)
    with ProfileManager.profile_region('r'):
        pass
    with pytest.raises(ProfilerError, match='no/such') as info:
        ProfileManager.finalize()
    assert isinstance(info.value, OSError)
    # The system's error, with its errno, as open() would raise it.
    assert info.value.domain == 'g-io-error-quark'
    assert info.value.errno == errno.ENOENT
    assert 'No such file or directory' in str(info.value)
    ProfileManager.finalize(file_path=tmp_path / 'retry.h5')
    assert (tmp_path / 'retry.h5').exists()


def test_finalize_rejects_unknown_keywords(pm):
    with pytest.raises(TypeError, match="did you mean 'verbose'"):
        pm.finalize(verbos=True)
    with pytest.raises(UnsupportedOptionError):
        pm.finalize(return_results=True)


def test_print_and_get_summary(pm, capsys):
    with pm.profile_region('summarized'):
        pass
    assert 'summarized' in pm.get_summary()
    pm.print_summary()
    assert 'summarized' in capsys.readouterr().out


def test_session_finalizes_even_when_body_raises(tmp_path, regions_in):
    path = tmp_path / 'session.h5'
    with pytest.raises(RuntimeError):
        with ProfileManager.session(file_path=str(path), verbose=False):
            with ProfileManager.profile_region('in_session'):
                pass
            raise RuntimeError('body failed')
    assert 'in_session' in regions_in(path)


def test_session_as_decorator(tmp_path, regions_in):
    path = tmp_path / 'decorated_session.h5'

    @ProfileManager.session(file_path=str(path), verbose=False)
    def main():
        with ProfileManager.profile_region('main_body'):
            pass

    main()
    assert 'main_body' in regions_in(path)


def test_session_validates_options_at_once():
    with pytest.raises(TypeError, match="did you mean 'file_path'"):
        ProfileManager.session(filepath='x.h5')


def test_metadata(tmp_path):
    h5py = pytest.importorskip('h5py')
    path = tmp_path / 'meta.h5'
    ProfileManager.setup(file_path=str(path), label='my run', verbose=False)
    ProfileManager.set_metadata('extra', 42)
    with ProfileManager.profile_region('r'):
        pass
    ProfileManager.finalize()
    with h5py.File(path) as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v)
                 for k, v in f['metadata'].attrs.items()}
    import platform
    assert attrs['python_version'] == platform.python_version()
    assert attrs['label'] == 'my run'
    assert attrs['extra'] == '42'


# --- independent managers -----------------------------------------------------------

def test_instances_are_independent(tmp_path, regions_in):
    cpu = ProfileManager()
    io = ProfileManager()
    assert cpu is not io
    ProfileManager.setup(flush_to_disk=False, verbose=False)

    with cpu.session(file_path=str(tmp_path / 'cpu.h5'), verbose=False):
        with io.session(file_path=str(tmp_path / 'io.h5'), verbose=False):
            with cpu.profile_region('cpu_compute'), io.profile_region('write'):
                pass

            @cpu.profile
            def kernel():
                pass

            kernel()
            assert cpu.get_region('kernel').num_calls == 1
            assert io.get_region('kernel') is None
            assert ProfileManager.get_region('cpu_compute') is None

    assert set(regions_in(tmp_path / 'cpu.h5')) == {'cpu_compute', 'kernel'}
    assert set(regions_in(tmp_path / 'io.h5')) == {'write'}


def test_default_manager_is_the_c_default():
    # That it is the one C code uses: test_mixed.py (through GI).
    import _scope_profiler_native as native

    assert ProfileManager.get_manager() is native.Manager.get_default()
    assert ProfileManager().get_manager() is not native.Manager.get_default()
    assert type(ProfileManager().get_manager()) is native.Manager


def test_class_level_methods_are_stable():
    # Bound once: decorators taken from the class keep one identity.
    assert ProfileManager.profile is ProfileManager.profile


def test_never_set_up_session_records_nothing_and_writes_metadata_only(tmp_path):
    # Spec "No setup()": nothing is recorded before setup(), and finalize()
    # still writes the file, with /metadata and no region; there is nothing
    # to summarize, verbose or not.
    import subprocess
    import sys

    h5py = pytest.importorskip('h5py')
    code = ('from scope_profiler import ProfileManager\n'
            'with ProfileManager.profile_region("once"): pass\n'
            'print("calls", ProfileManager.get_region("once").num_calls)\n'
            'ProfileManager.finalize(verbose=%s, file_path="out%s.h5")\n')
    for verbose in ('True', 'False'):
        result = subprocess.run([sys.executable, '-c', code % (verbose, verbose)], cwd=tmp_path,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout == 'calls 0\n', result.stdout
        with h5py.File(tmp_path / ('out%s.h5' % verbose), 'r') as f:
            assert f['metadata'].attrs['mpi_size'] == 1
            assert 'python_version' in f['metadata'].attrs
            assert len(f['rank0/regions']) == 0


# --- a session that flushed: the spill file became the session file ---------

def test_flushed_session_reads_back_with_h5py(tmp_path, regions_in):
    """Full buffers are adopted where the flushes wrote them (sp-h5-adopt.c);
    h5py, as the Python package's readers, opens such a file unchanged."""
    h5py = pytest.importorskip('h5py')
    path = tmp_path / 'flushed.h5'
    ProfileManager.setup(buffer_limit=2000, file_path=path, verbose=False)

    durations = []
    for i in range(10_500):
        t0 = time.perf_counter_ns()
        with ProfileManager.profile_region('step'):
            pass
        durations.append(time.perf_counter_ns() - t0)
    for i in range(3):
        with ProfileManager.profile_region('rare'):
            pass
    ProfileManager.finalize()

    assert sorted(p.name for p in tmp_path.iterdir()) == ['flushed.h5']  # no spill left
    with h5py.File(path, 'r') as f:
        assert f.userblock_size == 4096
        step = f['rank0/regions/step']
        assert step['start_times'].chunks == (2000,)
        assert step.attrs['num_calls'] == 10_500
    regions = regions_in(path)
    starts, ends = regions['step']['start_times'], regions['step']['end_times']
    assert len(starts) == len(ends) == 10_500
    assert (starts[1:] > starts[:-1]).all()    # in the order they ran
    assert (ends >= starts).all()
    # Each call lies within the clock readings around it.
    assert ((ends - starts) <= max(durations)).all()
    assert len(regions['rare']['start_times']) == 3
