# Threads and asyncio: setup(track_threads=True), setup(track_async=True),
# and interleaved coroutines without them.
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import asyncio
import threading
import time

import pytest

np = pytest.importorskip('numpy')
h5py = pytest.importorskip('h5py')

from scope_profiler import ProfileManager  # noqa: E402

N_TASKS = 200
# The wrapper's own work around the call (and a busy machine's preemption):
# what a call may differ from the wall time its task measures around it. The
# calls last 0 to 26 ms; paired last in first out, they were off by up to
# 20 ms.
SLACK_NS = 5_000_000


def _session(path):
    """The library's reading of ``path`` (SpSession, SpAnalysis)."""
    gi = pytest.importorskip('gi')
    gi.require_version('ScopeProfiler', '1.0')
    from gi.repository import ScopeProfiler
    session = ScopeProfiler.Session.new_from_file(str(path))
    return ScopeProfiler, session, ScopeProfiler.Analysis.new(session)


def _run_tasks(path, **options):
    """200 interleaved tasks on one thread, each in a decorated coroutine
    that works a little and awaits sleeps of different lengths; returns the
    wall time each call took, measured in its task: {start_ns: duration}."""
    truth = {}

    @ProfileManager.profile('interleaved')
    async def interleaved(i):
        start = time.perf_counter_ns()
        x = 0
        for _ in range(100 + 20 * (i % 7)):
            x += 1
        await asyncio.sleep(0.002 * (i % 13))
        for _ in range(100):
            x += 1
        await asyncio.sleep(0.0005 * (i % 5))
        truth[start] = time.perf_counter_ns() - start
        return x

    async def main():
        await asyncio.gather(*(asyncio.create_task(interleaved(i), name='job-%d' % i)
                               for i in range(N_TASKS)))

    ProfileManager.setup(file_path=str(path), verbose=False, **options)
    asyncio.run(main())
    ProfileManager.finalize()
    return truth


def _calls(path, name):
    with h5py.File(path, 'r') as f:
        for group in f['rank0/regions'].values():
            if group.attrs['name'] in (name, name.encode()):
                return (group['start_times'][()], group['end_times'][()],
                        group['thread_ids'][()])
    raise KeyError(name)


def _thread_names(path):
    with h5py.File(path, 'r') as f:
        threads = f['rank0/threads']
        names = [n.decode() if isinstance(n, bytes) else n for n in threads['name'][()]]
        return dict(zip(threads['index'][()].tolist(), names))


def _check_against_truth(starts, ends, truth):
    """Each recorded call lasts what its task measured around it."""
    assert len(starts) == N_TASKS
    recorded = sorted(zip(starts.tolist(), (ends - starts).tolist()))
    measured = sorted(truth.items())
    for (start, duration), (true_start, true_duration) in zip(recorded, measured):
        assert abs(start - true_start) < SLACK_NS
        assert true_duration <= duration < true_duration + SLACK_NS


def _check_library_reading(path, name, truth):
    ScopeProfiler, session, analysis = _session(path)
    ok, index = session.lookup_region(name)
    assert ok
    stats = session.get_region_stats(index)
    durations = sorted(truth.values())
    assert stats.get_count() == N_TASKS
    assert durations[0] <= stats.get_min() < durations[0] + SLACK_NS
    assert durations[-1] <= stats.get_max() < durations[-1] + SLACK_NS
    assert abs(stats.get_mean() - np.mean(durations)) < SLACK_NS
    assert 0 < analysis.get_region_share(index) <= 1.0
    # No call is nested in another: interleaved tasks are not each other's
    # children.
    for lane in range(session.get_n_lanes()):
        depths = np.frombuffer(session.get_lane_depths(lane).get_data() or b'',
                               dtype=np.uint32)
        regions = np.frombuffer(session.get_lane_regions(lane).get_data() or b'',
                                dtype=np.uint32)
        assert not np.any(depths[regions == index])
        assert session.get_lane_n_overlaps(lane) == 0
    return session, index


def test_interleaved_tasks_without_track_async(tmp_path):
    path = tmp_path / 'plain.h5'
    truth = _run_tasks(path)
    starts, ends, threads = _calls(path, 'interleaved')
    _check_against_truth(starts, ends, truth)
    _check_library_reading(path, 'interleaved', truth)
    # The calls are on async tracks of the main thread: as many as calls
    # were open at once, named after it.
    names = _thread_names(path)
    used = set(threads.tolist())
    assert 1 < len(used) <= N_TASKS
    assert all(names[t].startswith('MainThread: async ') for t in used)
    with h5py.File(path, 'r') as f:
        assert not any('[held]' in g.attrs['name'] for g in f['rank0/regions'].values())


def test_sequential_coroutines_share_one_track(tmp_path):
    @ProfileManager.profile('sequential')
    async def sequential():
        await asyncio.sleep(0.001)

    async def main():
        for _ in range(5):
            await sequential()

    ProfileManager.setup(file_path=str(tmp_path / 's.h5'), verbose=False)
    asyncio.run(main())
    ProfileManager.finalize()
    starts, ends, threads = _calls(tmp_path / 's.h5', 'sequential')
    assert len(set(threads.tolist())) == 1
    assert np.all(ends - starts >= 1_000_000)


def test_interleaved_tasks_with_track_async(tmp_path):
    path = tmp_path / 'tasks.h5'
    truth = _run_tasks(path, track_async=True)
    starts, ends, threads = _calls(path, 'interleaved')
    _check_against_truth(starts, ends, truth)
    session, _ = _check_library_reading(path, 'interleaved', truth)

    # One lane per task, named after the task.
    names = _thread_names(path)
    assert len(set(threads.tolist())) == N_TASKS
    assert sorted(names[t] for t in threads.tolist()) == sorted('job-%d' % i for i in range(N_TASKS))

    # Held + waited = wall: the held time is a call of "<name> [held]" on
    # the same lane starting with the call; the waited time is the rest.
    held_starts, held_ends, held_threads = _calls(path, 'interleaved [held]')
    held = {(t, s): e - s for s, e, t in zip(held_starts.tolist(), held_ends.tolist(),
                                             held_threads.tolist())}
    assert len(held) == N_TASKS
    for s, e, t in zip(starts.tolist(), ends.tolist(), threads.tolist()):
        wall = e - s
        held_ns = held[(t, s)]
        waited = wall - held_ns
        assert held_ns > 0 and waited >= 0 and held_ns + waited == wall
    # The tasks sleep for most of their time: waited dominates, and the
    # library's self time of the region (wall minus its [held] child) is the
    # waited time.
    ok, index = session.lookup_region('interleaved')
    ok_held, held_index = session.lookup_region('interleaved [held]')
    stats = session.get_region_stats(index)
    held_stats = session.get_region_stats(held_index)
    assert held_stats.get_total() < stats.get_total() / 2
    assert stats.get_self_time() == stats.get_total() - held_stats.get_total()


def test_held_time_counts_work_not_sleep(tmp_path):
    @ProfileManager.profile('busy_then_sleep')
    async def busy_then_sleep():
        end = time.perf_counter_ns() + 20_000_000
        while time.perf_counter_ns() < end:
            pass
        await asyncio.sleep(0.03)

    async def main():
        await asyncio.gather(busy_then_sleep(), busy_then_sleep())

    path = tmp_path / 'busy.h5'
    ProfileManager.setup(file_path=str(path), verbose=False, track_async=True)
    asyncio.run(main())
    ProfileManager.finalize()
    starts, ends, _ = _calls(path, 'busy_then_sleep')
    held_starts, held_ends, _ = _calls(path, 'busy_then_sleep [held]')
    held = held_ends - held_starts
    assert np.all(held >= 20_000_000) and np.all(held < 25_000_000)
    assert np.all(ends - starts - held >= 25_000_000)


def test_track_async_is_per_session(tmp_path):
    @ProfileManager.profile('switch')
    async def switch():
        await asyncio.sleep(0)

    ProfileManager.setup(file_path=str(tmp_path / 'a.h5'), verbose=False, track_async=True)
    asyncio.run(switch())
    ProfileManager.setup(file_path=str(tmp_path / 'b.h5'), verbose=False)
    asyncio.run(switch())
    ProfileManager.finalize()
    with h5py.File(tmp_path / 'b.h5', 'r') as f:
        assert [g.attrs['name'] for g in f['rank0/regions'].values()] == ['switch']


def test_thread_names_with_track_threads(tmp_path):
    @ProfileManager.profile('in_thread')
    def in_thread():
        time.sleep(0.001)

    def body():
        for _ in range(3):
            in_thread()

    path = tmp_path / 'threads.h5'
    ProfileManager.setup(file_path=str(path), verbose=False, track_threads=True)
    workers = [threading.Thread(target=body, name='worker with a long name %d' % i)
               for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    in_thread()
    ProfileManager.finalize()

    _, _, threads = _calls(path, 'in_thread')
    names = _thread_names(path)
    assert sorted(names[t] for t in set(threads.tolist())) == sorted(
        ['MainThread'] + ['worker with a long name %d' % i for i in range(4)])
    ScopeProfiler, session, _ = _session(path)
    read = {session.get_thread_name(0, t) for t in session.get_threads(0)}
    assert 'worker with a long name 3' in read


def test_thread_lifetime_and_cpu_time(tmp_path):
    @ProfileManager.profile('spin')
    def spin(ns):
        # ns of CPU time, however busy the machine is
        end = time.thread_time_ns() + ns
        while time.thread_time_ns() < end:
            pass

    def body():
        spin(30_000_000)
        time.sleep(0.05)

    path = tmp_path / 'times.h5'
    ProfileManager.setup(file_path=str(path), verbose=False, track_threads=True)
    before = time.perf_counter_ns()
    worker = threading.Thread(target=body, name='spinner')
    worker.start()
    worker.join()
    after = time.perf_counter_ns()
    spin(1_000_000)
    ProfileManager.finalize()

    with h5py.File(path, 'r') as f:
        table = {k: v[()] for k, v in f['rank0/threads'].items()}
    names = [n.decode() if isinstance(n, bytes) else n for n in table['name']]
    w = names.index('spinner')
    main = names.index('MainThread')
    # The worker: named when it started, ended before join() returned, and
    # used the CPU for its 30 ms of spinning, not for its 50 ms of sleep.
    assert before <= table['start_time'][w] < table['end_time'][w] <= after
    assert table['end_time'][w] - table['start_time'][w] >= 80_000_000
    assert 30_000_000 <= table['cpu_time'][w] < 75_000_000
    # The main thread runs at finalize: no end, its CPU time so far.
    assert table['end_time'][main] == -1
    assert table['cpu_time'][main] > 0

    # The library's reader gives them back.
    ScopeProfiler, session, _ = _session(path)
    index = int(table['index'][w])
    known, start, end, cpu = session.get_thread_times(0, index)
    assert known
    assert (start, end, cpu) == (table['start_time'][w], table['end_time'][w],
                                 table['cpu_time'][w])


def test_threads_keep_their_kernel_names_without_track_threads(tmp_path):
    @ProfileManager.profile('plain_thread')
    def plain_thread():
        pass

    path = tmp_path / 'plain-threads.h5'
    ProfileManager.setup(file_path=str(path), verbose=False, track_threads=True)
    ProfileManager.setup(file_path=str(path), verbose=False)
    worker = threading.Thread(target=plain_thread, name='not recorded as such')
    worker.start()
    worker.join()
    ProfileManager.finalize()
    _, _, threads = _calls(path, 'plain_thread')
    assert _thread_names(path)[int(threads[0])] != 'not recorded as such'


def test_track_async_with_recursive_profile(tmp_path):
    # recursive_profile hands the coroutine over in a proxy that is only
    # awaitable: the held time is still measured through it.
    def helper():
        return sum(range(100))

    @ProfileManager.profile('traced')
    async def traced():
        helper()
        await asyncio.sleep(0.002)
        return 5

    path = tmp_path / 'recursive.h5'
    ProfileManager.setup(file_path=str(path), verbose=False, track_async=True,
                         recursive_profile=True)
    assert asyncio.run(traced()) == 5
    ProfileManager.finalize()
    starts, ends, _ = _calls(path, 'traced')
    held_starts, held_ends, _ = _calls(path, 'traced [held]')
    assert len(starts) == len(held_starts) == 1
    assert ends[0] - starts[0] >= 2_000_000
    assert 0 < held_ends[0] - held_starts[0] < ends[0] - starts[0]
