# The per-call path of regions in Python. The scope_profiler package always
# takes the C path of its extension (_scope_profiler_native); the PyGObject
# override takes it too, or PyGObject's invocation with
# SCOPE_PROFILER_PYTHON_NATIVE=0 or without the extension. meson runs this
# file on both paths of the override (tests/python/meson.build); the tests
# say what both must do alike, and which path is really in use.

import copy
import functools
import gc
import importlib.util
import inspect
import os
import pickle
import subprocess
import sys
import threading
import time
import weakref

import gi
import pytest

gi.require_version('ScopeProfiler', '1.0')
from gi.repository import ScopeProfiler  # noqa: E402
from gi.overrides import ScopeProfiler as override  # noqa: E402

from scope_profiler import ProfileManager  # noqa: E402
from scope_profiler import profile_manager  # noqa: E402

import _scope_profiler_native as native  # noqa: E402 - the package's, always in use

# The override's per-call path: the same module, or None on the GI path.
override_native = override._native
needs_native_built = pytest.mark.skipif(
    importlib.util.find_spec('_scope_profiler_native') is None,
    reason='_scope_profiler_native is not built')


@ProfileManager.profile('native_pickled')
def pickled_function(x):
    """Decorated at import, before any setup()."""
    return x + 1


def calls(name, manager=ProfileManager):
    region = manager.get_region(name)
    return 0 if region is None else region.num_calls


# --- which path ---------------------------------------------------------------

def test_the_expected_path_is_in_use(pm, expected_backend):
    if expected_backend is None:
        pytest.skip('run without --expect-backend')

    @pm.profile('which')
    def plain():
        return 1

    # The package: its extension, whatever the override does.
    assert profile_manager._BACKEND == 'native'
    assert profile_manager._region_exit is native.exit
    assert type(plain) is native.ProfiledFunction
    assert plain._sp_region is pm.get_region('which')
    assert type(pm.get_region('which')) is native.Region
    assert native.Region.__dict__['__enter__'] is native.region_enter_method
    assert native.Region.__dict__['__exit__'] is native.region_exit_method
    assert type(ProfileManager.profile_region) is native.RegionLookup
    assert type(ProfileManager().profile_region) is native.RegionLookup

    # The override.
    region_enter = ScopeProfiler.Region.__dict__['__enter__']
    region_exit = ScopeProfiler.Region.__dict__['__exit__']
    if expected_backend == 'native':
        assert override_native is native, override._native_unavailable
        assert region_enter is native.region_enter_method
        assert region_exit is native.region_exit_method
        assert override._region_enter is native.enter
    else:
        assert override_native is None
        if os.environ.get('SCOPE_PROFILER_PYTHON_NATIVE') == '0':
            assert override._native_unavailable == 'SCOPE_PROFILER_PYTHON_NATIVE=0'
        # The Python wrappers around the GI callables.
        assert inspect.isfunction(region_enter) and inspect.isfunction(region_exit)
        assert override._region_enter == ScopeProfiler.Region.enter

    assert plain() == 1
    assert calls('which') == 1


@needs_native_built
@pytest.mark.parametrize('value, backend', [('0', 'gi'), ('1', 'native'), ('', 'native')])
def test_environment_variable_chooses_the_override_path(value, backend):
    # It only chooses the override's path: the package has no other than
    # its extension.
    env = dict(os.environ, SCOPE_PROFILER_PYTHON_NATIVE=value)
    script = ('from scope_profiler import ProfileManager, profile_manager\n'
              'import gi\n'
              'gi.require_version("ScopeProfiler", "1.0")\n'
              'from gi.repository import ScopeProfiler\n'
              'from gi.overrides import ScopeProfiler as override\n'
              'ProfileManager.setup(flush_to_disk=False, verbose=False)\n'
              'with ProfileManager.profile_region("r"):\n'
              '    pass\n'
              'with ScopeProfiler.ProfileManager.get_default().profile_region("r"):\n'
              '    pass\n'
              'print(profile_manager._BACKEND, "native" if override._native else "gi",\n'
              '      ProfileManager.get_region("r").num_calls)\n')
    result = subprocess.run([sys.executable, '-c', script], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['native', backend, '2']


# --- objects that are not regions ---------------------------------------------

def bad_objects():
    return [5, None, 'region', object(), ScopeProfiler.Config(),
            ScopeProfiler.ProfileManager.new(), native.Manager()]


def test_wrong_objects_raise_type_error():
    for bad in bad_objects():
        with pytest.raises(TypeError):
            ScopeProfiler.Region.__enter__(bad)
        with pytest.raises(TypeError):
            ScopeProfiler.Region.__exit__(bad, None, None, None)
        with pytest.raises(TypeError):
            override._region_enter(bad)
        with pytest.raises(TypeError):
            override._region_exit(bad)
        with pytest.raises(TypeError):
            native.Region.__enter__(bad)
        with pytest.raises(TypeError):
            native.enter(bad)
        with pytest.raises(TypeError):
            native.exit(bad)


def test_uninitialized_wrapper_is_an_error_not_a_crash():
    empty = ScopeProfiler.Region.__new__(ScopeProfiler.Region)
    # PyGObject's own error for an object without its GObject.
    with pytest.raises(RuntimeError, match='not initialized'):
        with empty:
            pass
    with pytest.raises(RuntimeError, match='not initialized'):
        override._region_exit(empty)


def test_exit_takes_exactly_the_with_statement_arguments(pm):
    region = pm.profile_region('arity')
    with pytest.raises(TypeError):
        region.__exit__()
    with pytest.raises(TypeError):
        region.__exit__(None, None, None, None)
    with pytest.raises(TypeError):
        region.__enter__(1)


def test_profiled_function_checks_its_arguments(pm):
    region = pm.profile_region('checked')
    for bad in bad_objects():
        with pytest.raises(TypeError):
            native.ProfiledFunction(len, bad)
    with pytest.raises(TypeError):
        native.ProfiledFunction(5, region)
    with pytest.raises(TypeError):
        native.ProfiledFunction(len)
    with pytest.raises(TypeError):
        native.ProfiledFunction(len, region, region)
    with pytest.raises(TypeError):
        native.ProfiledFunction(func=len, region=region)
    with pytest.raises(RuntimeError, match='not initialized'):
        native.ProfiledFunction(len, ScopeProfiler.Region.__new__(ScopeProfiler.Region))


# --- Region.__enter__ / __exit__ ------------------------------------------------

@pytest.mark.parametrize('kind', ['package', 'override'])
def test_region_methods_look_like_methods(pm, kind):
    if kind == 'package':
        region = pm.profile_region('methods')
    else:
        region = ScopeProfiler.ProfileManager.get_default().profile_region('methods')
    cls = type(region)
    enter = region.__enter__
    leave = region.__exit__
    assert enter.__self__ is region and leave.__self__ is region
    assert enter.__name__ == '__enter__' and leave.__name__ == '__exit__'
    assert enter.__func__ is cls.__dict__['__enter__']
    assert 'exception' in leave.__doc__.lower()
    assert '__enter__' in repr(enter) and 'methods' in repr(enter)
    assert list(inspect.signature(cls.__exit__).parameters) == [
        'self', 'exc_type', 'exc_value', 'traceback']
    # Unbound, through the class, as with any method.
    assert cls.__enter__(region) is region
    assert cls.__exit__(region, None, None, None) is False
    assert enter() is region
    assert leave(None, None, None) is False
    assert region.num_calls == 2


def test_bound_exit_outlives_other_references():
    manager = ScopeProfiler.ProfileManager.new()
    manager.setup(ScopeProfiler.Config(verbose=False, flush_to_disk=False))
    region = manager.profile_region('outlives')
    region_ref = weakref.ref(region)
    leave = region.__exit__
    region.__enter__()
    del region
    gc.collect()
    assert region_ref() is not None      # held by the bound method
    assert leave(None, None, None) is False
    assert manager.get_region('outlives').num_calls == 1


def test_deep_nesting_and_many_bound_methods(pm):
    # More open `with` statements at once than any cache of bound methods.
    regions = [pm.profile_region('deep%d' % i) for i in range(60)]

    def nest(i):
        if i == len(regions):
            return
        with regions[i]:
            with regions[i]:
                nest(i + 1)

    for _ in range(3):
        nest(0)
    assert all(region.num_calls == 6 for region in regions)
    kept = [region.__exit__ for region in regions for _ in range(5)]
    assert all(method.__self__ is regions[i // 5] for i, method in enumerate(kept))


def test_no_reference_is_leaked_or_lost(pm):
    region = pm.profile_region('refcounts')

    def work(x):
        return x

    decorated = pm.profile('refcounts')(work)
    marker = object()

    def fails():
        raise KeyError(marker)

    decorated_fails = pm.profile('refcounts')(fails)
    lookup = pm.profile_region

    def counts():
        return [sys.getrefcount(o) for o in (region, work, marker, decorated, fails)]

    for _ in range(10):             # warm: caches, free lists
        with region:
            decorated(marker)
    before = counts()
    for _ in range(1000):
        with region as entered:
            assert decorated(marker) is marker
            assert lookup('refcounts') is entered
        region.__enter__()
        region.__exit__(None, None, None)
        try:
            decorated_fails()
        except KeyError:
            pass
    del entered
    assert counts() == before
    assert region.num_calls == 10 * 2 + 1000 * 4


# --- profile_region(name) -------------------------------------------------------

def test_profile_region_lookup_answers_like_the_method(pm):
    first = pm.profile_region('lookup')
    assert pm.profile_region('lookup') is first
    assert pm.profile_region('lookup', None) is first
    assert pm.profile_region('lookup', functions=[len]) is first
    assert pm.profile_region(region_name='lookup') is first
    assert pm.get_region('lookup') is first
    with pytest.raises(TypeError):
        pm.profile_region(3)
    with pytest.raises(TypeError):
        pm.profile_region(['unhashable'])
    with pytest.raises(ValueError):
        pm.profile_region('')
    with pytest.raises(TypeError):
        pm.profile_region()
    with pytest.raises(TypeError):
        pm.profile_region('lookup', None, None)
    # setup() clears the session's regions; the same object comes back.
    pm.setup(verbose=False, flush_to_disk=False)
    assert pm.profile_region('lookup') is first
    assert 'region_name' in inspect.signature(pm.profile_region).parameters
    assert pm.profile_region.__doc__ == ProfileManager._profile_region.__doc__


def test_instances_look_up_their_own_regions(pm):
    manager = ProfileManager()
    manager.setup(verbose=False, flush_to_disk=False)
    mine = manager.profile_region('own')
    assert manager.profile_region('own') is mine
    assert manager.profile_region(region_name='own') is mine
    assert pm.profile_region('own') is not mine
    with mine:
        pass
    assert mine.num_calls == 1
    assert calls('own') == 0
    manager.setup(verbose=False, flush_to_disk=False)
    assert manager.profile_region('own') is mine


# --- the decorated function is a function -------------------------------------

def test_decorated_function_keeps_what_a_function_has(pm):
    def work(a, b=2, *rest, key=None, **more):
        """Docstring."""
        return a, b, rest, key, more
    work.custom = 'kept'
    wrapped = work

    work = pm.profile('meta')(work)

    assert work.__name__ == 'work'
    assert work.__qualname__.endswith('work')
    assert work.__doc__ == 'Docstring.'
    assert work.__module__ == __name__
    assert work.__wrapped__ is wrapped
    assert work.custom == 'kept'
    assert inspect.signature(work) == inspect.signature(wrapped)
    assert 'work' in repr(work)
    work.later = 1
    assert work.__dict__['later'] == 1
    assert weakref.ref(work)() is work
    assert callable(work) and inspect.isroutine(work)

    # Every way of passing arguments arrives unchanged.
    assert work(1) == (1, 2, (), None, {})
    assert work(1, 3, 4, 5, key='k', x=6) == (1, 3, (4, 5), 'k', {'x': 6})
    assert work(*range(1, 20)) == (1, 2, tuple(range(3, 20)), None, {})
    assert work(**{'a': 0, 'b': 1}) == (0, 1, (), None, {})
    with pytest.raises(TypeError):
        work()                      # the wrapped function's own TypeError
    assert calls('meta') == 5


def test_decorated_function_binds_like_a_function(pm):
    class Thing:
        @pm.profile('bound')
        def method(self, x):
            return self, x

    thing = Thing()
    wrapper = Thing.__dict__['method']
    assert Thing.method is wrapper
    assert thing.method.__self__ is thing
    assert thing.method.__func__ is wrapper
    assert thing.method(1) == (thing, 1)
    assert Thing.method(thing, 2) == (thing, 2)
    assert getattr(thing, 'method')(3) == (thing, 3)
    assert calls('bound') == 3


def test_decorated_callables_that_are_not_functions(pm):
    class Callable:
        def __call__(self, x):
            return x * 2

    doubled = pm.profile('callable_object')(Callable())
    partial = pm.profile('partial')(functools.partial(pow, 2))
    builtin = pm.profile('builtin')(len)

    assert doubled(4) == 8
    assert partial(10) == 1024
    assert builtin('abc') == 3
    assert calls('callable_object') == calls('partial') == calls('builtin') == 1


def test_decorated_module_function_pickles_and_copies_by_reference(pm):
    assert pickled_function(1) == 2
    assert pickle.loads(pickle.dumps(pickled_function)) is pickled_function
    assert copy.copy(pickled_function) is pickled_function
    assert copy.deepcopy(pickled_function) is pickled_function
    assert calls('native_pickled') == 1


def test_cycles_through_the_wrapper_are_collected(pm):
    def make():
        @pm.profile('cycle')
        def recursive(n):
            return n if n == 0 else recursive(n - 1)
        return recursive

    recursive = make()
    assert recursive(3) == 0
    ref = weakref.ref(recursive)
    del recursive
    gc.collect()
    assert ref() is None
    assert calls('cycle') == 4


def test_the_wrapper_keeps_its_region_alive():
    manager = ProfileManager()
    manager.setup(flush_to_disk=False, verbose=False)
    work = manager.profile('kept_alive')(lambda: 'ok')
    region_ref = weakref.ref(manager.get_region('kept_alive'))
    del manager
    gc.collect()
    # Nothing but the wrapper refers to the region object now; its manager
    # is gone, so the calls go nowhere, but they are still safe.
    assert region_ref() is not None
    for _ in range(1000):
        assert work() == 'ok'
    region_ref().num_calls


# --- what every call guarantees -------------------------------------------------

class Stop(BaseException):
    pass


@pytest.mark.parametrize('exception', [KeyError('k'), KeyboardInterrupt(), SystemExit(3), Stop()])
def test_exceptions_propagate_unchanged_and_the_call_is_closed(pm, exception):
    def inner():
        raise exception

    @pm.profile('raises')
    def outer():
        inner()

    region = pm.profile_region('raises_with')
    for _ in range(3):
        with pytest.raises(type(exception)) as info:
            outer()
        assert info.value is exception
        # The traceback still reaches the frame that raised.
        assert info.traceback[-1].name == 'inner'
        with pytest.raises(type(exception)) as info:
            with region:
                raise exception
        assert info.value is exception
    assert calls('raises') == 3
    assert calls('raises_with') == 3
    assert len(pm.get_region('raises').get_durations_numpy()) == 3


def test_exception_context_is_kept(pm):
    @pm.profile('context')
    def fails():
        raise ValueError('inner')

    try:
        try:
            raise KeyError('outer')
        except KeyError:
            fails()
    except ValueError as error:
        assert isinstance(error.__context__, KeyError)
    else:
        pytest.fail('no ValueError')


def test_with_region_protocol(pm):
    region = pm.profile_region('protocol')
    assert region.__enter__() is region
    assert region.__exit__(None, None, None) is False
    with region as entered:
        assert entered is region
    assert region.num_calls == 2


def test_regions_from_many_threads(pm):
    region = pm.profile_region('shared')

    @pm.profile('shared')
    def nested():
        with region:
            pass

    errors = []

    def loop():
        try:
            for _ in range(2000):
                with region:
                    nested()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=loop) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert region.num_calls == 6 * 2000 * 3
    assert len(set(region.get_thread_ids_numpy().tolist())) == 6


def test_disabled_profiling_records_nothing():
    ProfileManager.setup(enabled=False, verbose=False)
    try:
        @ProfileManager.profile('off')
        def work(x):
            return x

        region = ProfileManager.profile_region('off_with')
        for i in range(100):
            assert work(i) == i
            with region:
                pass
        assert calls('off') == 0
        assert region.num_calls == 0
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)


def test_setup_clears_and_the_same_objects_rejoin(pm):
    @pm.profile('rejoin')
    def work():
        pass

    region = pm.profile_region('rejoin_with')
    work()
    with region:
        pass
    pm.setup(verbose=False, flush_to_disk=False)
    assert region.num_calls == 0
    assert calls('rejoin') == 0
    work()
    work()
    with region:
        pass
    assert calls('rejoin') == 2
    assert region.num_calls == 1
    assert pm.get_region('rejoin_with') is region


def test_calls_after_finalize_are_counted(tmp_path):
    ProfileManager.setup(file_path=str(tmp_path / 'after.h5'), verbose=False)
    try:
        @ProfileManager.profile('after')
        def work():
            return 'ok'

        region = ProfileManager.profile_region('after_with')
        work()
        ProfileManager.finalize(verbose=False)
        assert (tmp_path / 'after.h5').exists()
        for _ in range(5):
            assert work() == 'ok'
            with region:
                pass
        assert calls('after') == 6
        assert region.num_calls == 5
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)


def test_exit_without_enter_is_the_library_warning():
    # In a child: a critical is what the library says, on both paths.
    script = ('from scope_profiler import ProfileManager\n'
              'ProfileManager.setup(flush_to_disk=False, verbose=False)\n'
              'region = ProfileManager.profile_region("unbalanced")\n'
              'region.__exit__(None, None, None)\n'
              'with region:\n'
              '    pass\n'
              'print(region.num_calls)\n')
    result = subprocess.run([sys.executable, '-c', script], env=dict(os.environ),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'has no open call on this thread' in result.stderr
    assert result.stdout.split() == ['1']


# --- the extension's Manager and Region (the package's way into the library) ---

def test_one_region_object_per_region():
    manager = native.Manager()
    manager.setup(flush_to_disk=False, verbose=False)
    region = manager.profile_region('one')
    assert manager.profile_region('one') is region
    assert manager.get_region('one') is region
    assert manager.get_all_regions()['one'] is region
    assert native.Region(manager, 'one') is region
    assert manager.get_region('missing') is None

    # The object dies with its last reference; the region lives on in its
    # manager and gets a new object, with the calls recorded before.
    with region:
        pass
    ref = weakref.ref(region)
    del region
    gc.collect()
    assert ref() is None
    again = manager.get_region('one')
    assert again.num_calls == 1 and again.name == 'one'


def test_region_object_attributes():
    manager = native.Manager()
    manager.setup(flush_to_disk=False, verbose=False)
    region = manager.profile_region('attrs')
    assert region.name == region.region_name == region.get_name() == 'attrs'
    assert 'attrs' in repr(region)
    region.custom = 'kept'                      # has a __dict__
    assert manager.get_region('attrs').custom == 'kept'
    assert weakref.ref(region)() is region
    with pytest.raises(AttributeError):
        region.num_calls = 3
    with pytest.raises(TypeError):
        native.Region()
    with pytest.raises(TypeError):
        native.Region(ScopeProfiler.ProfileManager.new(), 'x')
    with pytest.raises(ValueError):
        native.Region(manager, '')
    for bad in ('', 'a\0b'):
        with pytest.raises(ValueError):
            manager.profile_region(bad)
    with pytest.raises(TypeError):
        manager.profile_region(b'bytes')


def test_buffered_calls_as_int64():
    np = pytest.importorskip('numpy')
    manager = native.Manager()
    manager.setup(flush_to_disk=False, verbose=False)
    region = manager.profile_region('buffered')
    assert region.n_buffered == 0 and region.durations == b''
    assert len(region.get_durations_numpy()) == 0
    for _ in range(3):
        region.enter()
        region.exit()
    with region:
        pass
    assert region.num_calls == region.n_buffered == 4
    for column in ('durations', 'start_times', 'end_times', 'thread_ids'):
        raw = getattr(region, column)
        assert isinstance(raw, bytes) and len(raw) == 4 * 8
        array = getattr(region, 'get_%s_numpy' % column)()
        assert array.dtype == np.int64 and array.flags.writeable
        assert (array == np.frombuffer(raw, dtype=np.int64)).all()
    starts = region.get_start_times_numpy()
    ends = region.get_end_times_numpy()
    assert (region.get_durations_numpy() == ends - starts).all()
    now = native.get_current_time()
    assert starts[0] <= ends[-1] <= now
    assert abs(now - time.perf_counter_ns()) < 10**9


def test_region_subclass():
    manager = native.Manager()
    manager.setup(flush_to_disk=False, verbose=False)
    plain = manager.profile_region('plain')

    class Counted(native.Region):
        def __init__(self, manager, name):
            self.label = 'counted'

    counted = Counted(manager, 'counted')
    assert type(counted) is Counted and counted.label == 'counted'
    assert manager.get_region('counted') is counted
    assert manager.profile_region('counted') is counted
    with counted:
        pass
    native.enter(counted)
    native.exit(counted)
    assert native.ProfiledFunction(lambda: 1, counted)() == 1
    assert counted.num_calls == 3
    # A region has one object: it cannot become a Counted too.
    with pytest.raises(TypeError, match='already has a Python object'):
        Counted(manager, 'plain')
    assert manager.get_region('plain') is plain


def test_manager_objects():
    default = native.Manager.get_default()
    assert native.Manager.get_default() is default
    assert 'default' in repr(default)
    mine = native.Manager()
    assert mine is not default and 'independent' in repr(mine)
    with pytest.raises(TypeError):
        native.Manager(1)

    mine.setup(buffer_limit=10, file_path='x.h5', verbose=False, rank=0, size=1,
               merge_timeout=5, time_trace=False)
    assert mine.get_config() == {
        'enabled': True, 'time_trace': False, 'flush_to_disk': True, 'buffer_limit': 10,
        'file_path': 'x.h5', 'verbose': False, 'rank': 0, 'size': 1, 'merge_timeout': 5}
    mine.setup()
    assert mine.get_config()['buffer_limit'] == 100000
    for bad in ({'buffer_limit': 0}, {'buffer_limit': 2**31}, {'buffer_limit': 2**70},
                {'size': 0}, {'rank': -2}, {'file_path': ''}, {'merge_timeout': -1}):
        with pytest.raises(ValueError):
            mine.setup(**bad)
    for bad in ({'buffer_limit': '10'}, {'buffer_limit': True}, {'file_path': 3},
                {'unknown': 1}):
        with pytest.raises(TypeError):
            mine.setup(**bad)
    with pytest.raises(TypeError):
        mine.setup(True)                        # keywords only

    start = mine.get_start_time()
    assert 0 < start <= native.get_current_time()
    for name in ('b', 'a', 'c'):
        mine.profile_region(name)
    assert list(mine.get_all_regions()) == ['b', 'a', 'c']
    with mine.get_region('a'):
        pass
    summary = mine.get_summary()
    assert summary.index('Region: b') < summary.index('Region: a') < summary.index('Region: c')
    assert 'Total Calls : 1' in summary


def test_library_errors_are_profiler_errors(tmp_path):
    manager = native.Manager()
    manager.setup(file_path=str(tmp_path / 'missing' / 'out.h5'), verbose=False)
    with manager.profile_region('r'):
        pass
    with pytest.raises(native.ProfilerError) as info:
        manager.finalize()
    error = info.value
    assert isinstance(error, OSError)
    assert 'missing' in str(error)
    assert isinstance(error.domain, str) and isinstance(error.code, int)
    # The calls are kept: another path works.
    manager.finalize_to_path(tmp_path / 'out.h5')
    assert (tmp_path / 'out.h5').exists()

    with pytest.raises(native.ProfilerError):
        native.Manager.recover(str(tmp_path / 'no-such.spill'), str(tmp_path / 'r.h5'))


def test_spill_file_recovers(tmp_path, regions_in):
    import shutil

    manager = native.Manager()
    manager.setup(file_path=str(tmp_path / 'out.h5'), buffer_limit=4, verbose=False)
    assert manager.get_spill_path() is None or isinstance(manager.get_spill_path(), str)
    region = manager.profile_region('spilled')
    for _ in range(20):
        with region:
            pass
    spill = manager.get_spill_path()
    assert spill is not None and os.path.exists(spill)
    # What a crash would leave behind: the spill file, never finalized.
    copy_path = tmp_path / 'crashed.spill'
    shutil.copyfile(spill, copy_path)
    manager.finalize(verbose=False)

    native.Manager.recover(copy_path, tmp_path / 'recovered.h5')
    recovered = regions_in(tmp_path / 'recovered.h5')
    assert len(recovered['spilled']['start_times']) >= 16      # the flushed calls

