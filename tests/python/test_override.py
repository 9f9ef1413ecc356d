# The PyGObject override of gi.repository.ScopeProfiler.

import sys
import threading
import time

import gi
import pytest

gi.require_version('ScopeProfiler', '1.0')
from gi.repository import Gio, GLib, ScopeProfiler  # noqa: E402


@pytest.fixture
def manager():
    manager = ScopeProfiler.ProfileManager.new()
    manager.setup(ScopeProfiler.Config(verbose=False, flush_to_disk=False))
    return manager


def test_override_is_loaded():
    assert ScopeProfiler.Region.__module__ == 'gi.overrides.ScopeProfiler'
    assert ScopeProfiler.ProfileManager.__module__ == 'gi.overrides.ScopeProfiler'


def test_region_is_a_reusable_context_manager(manager):
    region = manager.profile_region('loop')
    for _ in range(5):
        with region as entered:
            assert entered is region
    assert region.num_calls == 5
    assert region.get_num_calls() == 5
    assert region.props.num_calls == 5


def test_region_closes_on_exception(manager):
    region = manager.profile_region('fails')
    with pytest.raises(ZeroDivisionError):
        with region:
            1 / 0
    assert region.num_calls == 1
    # Closed, so the next call nests correctly.
    with region:
        pass
    assert region.num_calls == 2


def test_same_name_same_object(manager):
    assert manager.profile_region('a') is manager.profile_region('a')
    assert manager.get_region('a') is manager.profile_region('a')


def test_name_attributes(manager):
    region = manager.profile_region('named region ü')
    assert region.name == 'named region ü'
    assert region.region_name == region.name == region.get_name()
    assert 'named region ü' in repr(region)


def test_numpy_accessors(manager):
    np = pytest.importorskip('numpy')
    region = manager.profile_region('np')
    before = time.perf_counter_ns()
    for _ in range(3):
        with region:
            time.sleep(0.001)
    after = time.perf_counter_ns()

    durations = region.get_durations_numpy()
    starts = region.get_start_times_numpy()
    ends = region.get_end_times_numpy()
    threads = region.get_thread_ids_numpy()
    for array in (durations, starts, ends, threads):
        assert array.dtype == np.int64
        assert array.shape == (3,)
    assert np.array_equal(durations, ends - starts)
    assert (durations >= 1_000_000).all()
    # Same clock as time.perf_counter_ns().
    assert before <= starts[0] and ends[-1] <= after
    assert (starts[1:] >= ends[:-1]).all()
    # Writable, as the Python package's arrays are.
    durations.sort()


def test_numpy_accessors_empty(manager):
    np = pytest.importorskip('numpy')
    region = manager.profile_region('empty')
    assert region.get_durations_numpy().shape == (0,)
    assert region.get_start_times_numpy().dtype == np.int64


def test_numpy_is_imported_lazily():
    import subprocess
    code = ('import sys, gi; gi.require_version("ScopeProfiler", "1.0");'
            'from gi.repository import ScopeProfiler as S;'
            'm = S.ProfileManager.new(); r = m.profile_region("x");'
            'r.enter(); r.exit(); assert r.num_calls == 1;'
            'assert "numpy" not in sys.modules, "numpy imported"')
    subprocess.run([sys.executable, '-c', code], check=True)


def test_get_all_regions_is_a_dict_in_session_order(manager):
    for name in ('c', 'a', 'b'):
        with manager.profile_region(name):
            pass
    regions = manager.get_all_regions()
    assert type(regions) is dict
    assert list(regions) == ['c', 'a', 'b']
    assert regions['a'] is manager.get_region('a')


def test_config_keywords():
    config = ScopeProfiler.Config(buffer_limit=7, file_path='x.h5', time_trace=False)
    assert config.props.buffer_limit == 7
    assert config.props.file_path == 'x.h5'
    assert config.props.time_trace is False
    assert config.props.enabled is True


def test_error_is_a_python_exception_with_the_library_message(tmp_path):
    manager = ScopeProfiler.ProfileManager.new()
    missing = tmp_path / 'missing-dir' / 'out.h5'
    manager.setup(ScopeProfiler.Config(verbose=False, file_path=str(missing)))
    with manager.profile_region('r'):
        pass
    with pytest.raises(GLib.Error) as info:
        manager.finalize()
    # What the system refuses is a Gio.IOErrorEnum, not a ScopeProfiler.Error.
    assert info.value.domain == 'g-io-error-quark'
    assert info.value.code == Gio.IOErrorEnum.NOT_FOUND
    assert str(missing.parent) in info.value.message
    # The data is kept: a retry to a good path works.
    manager.finalize_to_path(str(tmp_path / 'retry.h5'))
    assert (tmp_path / 'retry.h5').exists()


def test_threads_record_per_thread(manager):
    np = pytest.importorskip('numpy')
    region = manager.profile_region('worker')
    barrier = threading.Barrier(4)

    def work():
        barrier.wait()
        for _ in range(100):
            with region:
                pass

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert region.num_calls == 400
    assert len(np.unique(region.get_thread_ids_numpy())) == 4


def test_current_time_is_perf_counter_clock():
    before = time.perf_counter_ns()
    now = ScopeProfiler.get_current_time()
    after = time.perf_counter_ns()
    assert before <= now <= after
