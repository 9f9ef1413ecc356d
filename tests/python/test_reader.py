# test_reader.py: scope_profiler.h5reader, .region and .mpi_region
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The reader of the Python scope-profiler package (spec §5), backed by the
# library's SpSession, against an independent reading of the same files
# with h5py and numpy: sessions recorded here by our package (several
# threads, names with '/' and '%'), a 4-rank schema-1 file written here,
# and the fixtures of tests/fixtures/make-fixtures.py (the Python
# package's schemas 1, 2 and 3, ours, and damaged files).
#
# Units (spec §5): start_times/end_times int64 ns; durations s;
# first_start_time s; *_duration ns floats (population std);
# minimum_start_time s; MPIRegion.*_durations() {rank: ns}.

import configparser
import gc
import math
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

np = pytest.importorskip('numpy')
h5py = pytest.importorskip('h5py')

FIXTURES_SCRIPT = Path(__file__).resolve().parents[1] / 'fixtures' / 'make-fixtures.py'
NS = 1e9


# --- an independent reading of session files ------------------------------------

def _name_of(group, relative):
    name = group.attrs.get('name', relative)
    if isinstance(name, bytes):
        name = name.decode()
    return name


def _walk_regions(group, prefix, out, visited):
    """Schema 1: region groups under rank<N>/regions, nested when a name
    holds '/' (Python package), or escaped with the name in an attribute
    (ours). Each group once (hard and soft links may repeat or loop);
    external links are not followed."""
    for key in group:
        if isinstance(group.get(key, getlink=True), h5py.ExternalLink):
            continue
        child = group[key]
        if not isinstance(child, h5py.Group):
            continue
        addr = h5py.h5o.get_info(child.id).addr
        if addr in visited:
            continue
        visited.add(addr)
        relative = key if prefix is None else prefix + '/' + key
        if 'start_times' in child and isinstance(child['start_times'], h5py.Dataset):
            out.append((_name_of(child, relative), child['start_times'][()].astype(np.int64),
                        child['end_times'][()].astype(np.int64)))
        _walk_regions(child, relative, out, visited)


def independent_read(path):
    """{name: {rank: (starts, ends)}}, each rank's intervals pooled over
    threads and sorted by start, longest first for equal starts; a region
    group (or index row) without intervals gives empty arrays."""
    pieces = {}
    with h5py.File(path, 'r') as f:
        schema = int(f.attrs.get('scope_profiler_schema', 1))
        if schema == 1:
            for key in f.keys():
                if key == 'metadata' or not key.startswith('rank'):
                    continue
                if 'regions' not in f[key]:
                    continue
                found = []
                _walk_regions(f[key]['regions'], None, found, set())
                for name, s, e in found:
                    pieces.setdefault(name, {}).setdefault(int(key[4:]), []).append((s, e))
        else:
            names = [n.decode() if isinstance(n, bytes) else n for n in f['region_table/names'][()]]
            idx = f['rank_region_index']
            offsets = idx['event_offsets'][()]
            counts = idx['event_counts'][()]
            ev = f['events']
            if schema == 2:
                all_s = ev['start_times'][()].astype(np.int64)
                all_e = ev['end_times'][()].astype(np.int64)
            for rid, rank, off, n in zip(idx['region_ids'][()], idx['ranks'][()], offsets, counts):
                off, n = int(off), int(n)
                if schema == 2:
                    s, e = all_s[off:off + n], all_e[off:off + n]
                else:
                    s = np.cumsum(ev['start_deltas'][off:off + n].astype(np.int64))
                    e = s + ev['durations'][off:off + n].astype(np.int64)
                pieces.setdefault(names[int(rid)], {}).setdefault(int(rank), []).append((s, e))

    result = {}
    for name, ranks in pieces.items():
        for rank, parts in ranks.items():
            s = np.concatenate([p[0] for p in parts])
            e = np.concatenate([p[1] for p in parts])
            # a rank where the region has no calls still has it
            order = np.lexsort((-e, s))
            result.setdefault(name, {})[rank] = (s[order], e[order])
    return result


def np_stats(starts, ends):
    d = (np.asarray(ends, dtype=np.int64) - np.asarray(starts, dtype=np.int64)).astype(np.float64)
    if d.size == 0:
        return dict(count=0, total=0.0, mean=0.0, min=0.0, max=0.0, std=0.0)
    return dict(count=d.size, total=float(d.sum()), mean=float(d.mean()), min=float(d.min()),
                max=float(d.max()), std=float(d.std()))


def assert_region_matches(region, starts, ends):
    """Every attribute of a Region, with its unit, against numpy."""
    from scope_profiler.region import Region

    assert isinstance(region, Region)
    assert region.start_times.dtype == np.int64
    assert region.end_times.dtype == np.int64
    np.testing.assert_array_equal(region.start_times, starts)
    np.testing.assert_array_equal(region.end_times, ends)
    np.testing.assert_allclose(region.durations, (ends - starts) / NS, rtol=0, atol=0)
    ref = np_stats(starts, ends)
    assert region.num_calls == ref['count']
    assert isinstance(region.num_calls, int)
    for attr, key in (('total_duration', 'total'), ('average_duration', 'mean'),
                      ('min_duration', 'min'), ('max_duration', 'max'), ('std_duration', 'std')):
        value = getattr(region, attr)
        assert isinstance(value, float), attr
        assert value == pytest.approx(ref[key], rel=1e-9, abs=1e-9), attr
    assert region.first_start_time == (float(starts.min()) / NS if starts.size else 0.0)
    summary = region.get_summary()
    assert set(summary) == {'num_calls', 'total_duration', 'average_duration',
                            'min_duration', 'max_duration', 'std_duration'}
    assert summary['num_calls'] == region.num_calls
    for key in summary:
        assert summary[key] == getattr(region, key)


def assert_reader_matches(reader, path):
    from scope_profiler.mpi_region import MPIRegion

    expected = independent_read(path)
    regions = reader.get_regions()
    assert isinstance(regions, list)
    assert {r.name for r in regions if r.regions} == set(expected)

    for region in regions:
        assert isinstance(region, MPIRegion)
        assert reader.get_region(region.name) is region
        exp = expected.get(region.name, {})
        assert sorted(region.regions) == sorted(exp)
        for rank, (s, e) in exp.items():
            assert region[rank] is region.regions[rank]
            assert_region_matches(region[rank], s, e)
        # {rank: ns} (0.0 on a rank without calls) and the overall values
        avg = region.average_durations()
        assert set(avg) == set(exp)
        for rank, (s, e) in exp.items():
            d = (e - s).astype(np.float64)
            assert avg[rank] == (pytest.approx(d.mean(), rel=1e-12) if d.size else 0.0)
            assert region.min_durations()[rank] == (float(d.min()) if d.size else 0.0)
            assert region.max_durations()[rank] == (float(d.max()) if d.size else 0.0)
        if not exp:
            continue
        all_d = np.concatenate([(e - s) for s, e in exp.values()]).astype(np.float64)
        with_calls = [s for s, _ in exp.values() if s.size]
        if with_calls:
            assert region.max_duration == float(all_d.max())
            assert region.first_start_time == min(float(s[0]) for s in with_calls) / NS
        else:
            assert region.first_start_time == 0.0
        # as the package: the minimum over the ranks' Regions (0.0 for a
        # rank without calls)
        assert region.min_duration == min(region.min_durations().values())
        # pooled statistics, from the library
        pooled = region._statistics()
        ref = np_stats(np.concatenate([s for s, _ in exp.values()]),
                       np.concatenate([e for _, e in exp.values()]))
        assert pooled['count'] == ref['count']
        for key in ('total', 'mean', 'min', 'max', 'std'):
            assert pooled[key] == pytest.approx(ref[key], rel=1e-9), key

    # sorted by earliest start
    firsts = [r.first_start_time for r in regions]
    assert firsts == sorted(firsts)
    firsts = [float(s[0]) for ranks in expected.values() for s, _ in ranks.values() if s.size]
    assert reader.minimum_start_time == (min(firsts) / NS if firsts else 0.0)


# --- recorded here --------------------------------------------------------------

NAMES = ('outer', 'solver/assemble', '100% done', 'x%d/y%s')


@pytest.fixture
def recorded(tmp_path):
    """A session of our package: 3 threads, nested calls, odd names."""
    from scope_profiler import ProfileManager

    path = tmp_path / 'recorded.h5'
    ProfileManager.setup(file_path=str(path), verbose=False)
    try:
        outer = ProfileManager.profile_region(NAMES[0])
        inner = [ProfileManager.profile_region(n) for n in NAMES[1:]]

        def work(k):
            for i in range(25 + 5 * k):
                with outer:
                    with inner[(i + k) % 3]:
                        sum(range(50))
                    if i % 4 == 0:
                        with inner[2]:
                            pass

        threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        work(3)
        ProfileManager.finalize(verbose=False)
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)
    assert path.exists()
    return path


def test_recorded_session(recorded):
    from scope_profiler.h5reader import ProfilingH5Reader

    reader = ProfilingH5Reader(recorded)
    assert reader.file_path == recorded
    assert isinstance(reader.file_path, Path)
    assert reader.num_ranks == 1
    assert {r.name for r in reader.get_regions()} == set(NAMES)
    assert_reader_matches(reader, recorded)
    # 4 threads of rank 0 pooled: outer has every thread's calls
    assert reader.get_region('outer')[0].num_calls == 25 + 30 + 35 + 40


def test_recorded_metadata(recorded):
    from scope_profiler.h5reader import ProfilingH5Reader

    reader = ProfilingH5Reader(str(recorded))
    with h5py.File(recorded, 'r') as f:
        attrs = dict(f['metadata'].attrs)
    assert set(reader.metadata) == set(attrs)
    for key, value in attrs.items():
        if isinstance(value, bytes):
            value = value.decode()
        assert reader.metadata[key] == value, key
        if isinstance(value, (int, np.integer)):
            assert isinstance(reader.metadata[key], np.int64), key
    assert 'hostname' in reader.metadata


@pytest.mark.parametrize('n_threads', [2, 3, 5])
def test_threads_of_a_rank_merged_by_start(tmp_path, n_threads):
    """Our layout: one region group with a thread_ids column. The rank's
    Region has every thread's calls sorted by start, the longer first for
    equal starts (ties between threads included)."""
    from scope_profiler.h5reader import ProfilingH5Reader

    rng = np.random.default_rng(n_threads)
    n = 4000
    starts = np.sort(rng.integers(0, 50_000, n)).astype(np.int64)  # many ties
    ends = starts + rng.integers(0, 30, n)
    threads = rng.integers(0, n_threads, n).astype(np.int64)
    path = tmp_path / 'threads.h5'
    with h5py.File(path, 'w') as f:
        f.attrs['scope_profiler_schema'] = np.int64(1)
        g = f.create_group('rank0/regions/work')
        g.attrs['name'] = 'work'
        order = np.argsort(threads, kind='stable')  # stored thread by thread
        g['start_times'] = starts[order]
        g['end_times'] = ends[order]
        g['thread_ids'] = threads[order]
    region = ProfilingH5Reader(path).get_region('work')[0]
    expected = np.lexsort((-ends, starts))
    np.testing.assert_array_equal(region.start_times, starts[expected])
    np.testing.assert_array_equal(region.end_times, ends[expected])
    assert_region_matches(region, starts[expected], ends[expected])


def test_arrays_are_views_that_outlive_the_reader(recorded):
    from scope_profiler.h5reader import ProfilingH5Reader

    reader = ProfilingH5Reader(recorded)
    region = reader.get_region('solver/assemble')[0]
    starts = region.start_times
    expected = starts.copy()
    assert not starts.flags.writeable
    with pytest.raises(ValueError):
        starts[0] = 1
    # the same array each time, not a copy per access
    assert region.start_times is starts
    del reader, region
    gc.collect()
    np.testing.assert_array_equal(starts, expected)


def test_lanes_give_the_library_nesting(tmp_path):
    from scope_profiler import ProfileManager
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'nested.h5'
    ProfileManager.setup(file_path=str(path), verbose=False)
    try:
        a = ProfileManager.profile_region('a')
        b = ProfileManager.profile_region('b')
        c = ProfileManager.profile_region('c')
        for _ in range(3):
            with a:
                with b:
                    with c:
                        pass
                with c:
                    pass
        ProfileManager.finalize(verbose=False)
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)

    reader = ProfilingH5Reader(path)
    lanes = reader._lanes(0)
    assert len(lanes) == 1
    lane = lanes[0]
    assert lane['rank'] == 0
    names = [lane['region_names'][i] for i in lane['regions']]
    assert names == ['a', 'b', 'c', 'c'] * 3
    assert lane['depths'].tolist() == [0, 1, 2, 1] * 3
    parents = lane['parents'].tolist()
    for k in range(3):
        base = 4 * k
        assert parents[base:base + 4] == [-1, base, base + 1, base]
    assert np.all(np.diff(lane['start_times']) >= 0)
    assert reader._lanes(5) == []
    assert len(reader._lanes()) == 1


# --- a 4-rank file --------------------------------------------------------------

def write_four_ranks(path, empty_rank=True):
    """Schema 1 as the Python package writes it, ranks 0-3 (+ rank 4 with a
    group but no regions). Region 'late' starts last, 'only2' is on rank 2
    only, and 'deep/er/name' is nested groups."""
    rng = np.random.default_rng(4)
    with h5py.File(path, 'w') as f:
        md = f.create_group('metadata')
        md.attrs['mpi_size'] = np.int64(5 if empty_rank else 4)
        md.attrs['omp_num_threads'] = np.int64(1)
        md.attrs['hostname'] = 'node-1'
        for rank in range(4):
            base = 1_000_000 * (rank + 1)
            for name, offset, n in (('setup', 0, 3), ('compute', 10_000, 50),
                                    ('deep/er/name', 20_000, 7), ('late', 900_000, 2)):
                starts = base + offset + np.cumsum(rng.integers(100, 1000, n))
                ends = starts + rng.integers(1, 90, n)
                g = f.require_group('rank%d/regions/%s' % (rank, name))
                g.create_dataset('start_times', data=starts.astype(np.int64), maxshape=(None,), chunks=True)
                g.create_dataset('end_times', data=ends.astype(np.int64), maxshape=(None,), chunks=True)
            if rank == 2:
                g = f.require_group('rank2/regions/only2')
                g['start_times'] = np.array([5_000_000, 5_000_100], dtype=np.int64)
                g['end_times'] = np.array([5_000_050, 5_000_400], dtype=np.int64)
        if empty_rank:
            f.create_group('rank4')


def test_four_ranks(tmp_path):
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'four.h5'
    write_four_ranks(path, empty_rank=False)
    reader = ProfilingH5Reader(path)
    assert reader.num_ranks == 4
    assert_reader_matches(reader, path)
    assert sorted(reader.get_region('only2').regions) == [2]
    with pytest.raises(KeyError):
        reader.get_region('only2')[0]
    names = [r.name for r in reader.get_regions()]
    assert names == ['setup', 'compute', 'deep/er/name', 'late', 'only2']
    assert reader.metadata['mpi_size'] == 4
    assert reader.metadata['hostname'] == 'node-1'


def test_num_ranks_counts_rank_groups_without_regions(tmp_path):
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'five.h5'
    write_four_ranks(path, empty_rank=True)
    reader = ProfilingH5Reader(path)
    assert reader.num_ranks == 5
    assert_reader_matches(reader, path)


def test_region_on_a_rank_without_calls(tmp_path):
    """As the package reads empty datasets: the region is on that rank with
    no calls (statistics 0.0); it does not move first starts to 0."""
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'idle.h5'
    with h5py.File(path, 'w') as f:
        for rank, (s, e) in ((0, ([], [])), (1, ([700, 900], [800, 1000]))):
            g = f.require_group('rank%d/regions/idle' % rank)
            g['start_times'] = np.array(s, dtype=np.int64)
            g['end_times'] = np.array(e, dtype=np.int64)
        g = f.require_group('rank1/regions/never')
        g['start_times'] = np.array([], dtype=np.int64)
        g['end_times'] = np.array([], dtype=np.int64)
        g = f.require_group('rank0/regions/work')
        g['start_times'] = np.array([500], dtype=np.int64)
        g['end_times'] = np.array([650], dtype=np.int64)

    reader = ProfilingH5Reader(path)
    assert_reader_matches(reader, path)
    idle = reader.get_region('idle')
    assert sorted(idle.regions) == [0, 1]
    empty = idle[0]
    assert empty.num_calls == 0
    assert empty.start_times.dtype == np.int64 and empty.start_times.size == 0
    assert empty.first_start_time == 0.0
    assert empty.get_summary() == {'num_calls': 0, 'total_duration': 0.0, 'average_duration': 0.0,
                                   'min_duration': 0.0, 'max_duration': 0.0, 'std_duration': 0.0}
    assert idle.average_durations() == {0: 0.0, 1: 100.0}
    assert idle.first_start_time == 700 / NS
    assert idle._statistics()['count'] == 2
    assert idle._statistics([0])['count'] == 0
    never = reader.get_region('never')
    assert sorted(never.regions) == [1]
    assert never[1].num_calls == 0
    assert never.first_start_time == 0.0
    assert reader.minimum_start_time == 500 / NS
    assert [r.name for r in reader.get_regions()] == ['never', 'work', 'idle']


def test_statistics_over_ranks(tmp_path):
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'four.h5'
    write_four_ranks(path)
    exp = independent_read(path)['compute']
    region = ProfilingH5Reader(path).get_region('compute')
    for ranks in ([1], [0, 3], [3, 0, 2], None, [1, 7]):
        use = sorted(exp) if ranks is None else [r for r in sorted(set(ranks)) if r in exp]
        ref = np_stats(np.concatenate([exp[r][0] for r in use]), np.concatenate([exp[r][1] for r in use]))
        stats = region._statistics(ranks)
        assert set(stats) == {'count', 'total', 'mean', 'min', 'max', 'std'}
        assert isinstance(stats['count'], int)
        assert stats['count'] == ref['count']
        for key in ('total', 'mean', 'min', 'max', 'std'):
            assert isinstance(stats[key], float)
            assert stats[key] == pytest.approx(ref[key], rel=1e-9), (ranks, key)
    # one rank: the same numbers as Region.get_summary()
    summary = region[1].get_summary()
    one = region._statistics([1])
    assert one['count'] == summary['num_calls']
    assert one['total'] == summary['total_duration']
    assert one['mean'] == summary['average_duration']
    assert one['min'] == summary['min_duration']
    assert one['max'] == summary['max_duration']
    assert one['std'] == summary['std_duration']
    assert region._statistics([9])['count'] == 0


def test_include_exclude_and_sorting(tmp_path):
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'four.h5'
    write_four_ranks(path)
    reader = ProfilingH5Reader(path)

    def names(**kw):
        return [r.name for r in reader.get_regions(**kw)]

    assert names() == ['setup', 'compute', 'deep/er/name', 'late', 'only2']
    assert names(include='compute') == ['compute']
    # re.match: anchored at the start, not at the end
    assert names(include='comp') == ['compute']
    assert names(include='pute') == []
    assert names(include='.*pute') == ['compute']
    assert names(include=['late', 's']) == ['setup', 'late']
    assert names(exclude='s') == ['compute', 'deep/er/name', 'late', 'only2']
    assert names(exclude=['s', 'l']) == ['compute', 'deep/er/name', 'only2']
    assert names(include=['.*e'], exclude='deep') == ['setup', 'compute', 'late']
    assert names(include='deep/er') == ['deep/er/name']
    assert names(include=[]) == []
    assert names(exclude=[]) == names()


def test_get_region_unknown():
    from scope_profiler.h5reader import ProfilingH5Reader

    path = Path('one.h5')
    write_four_ranks(path)
    reader = ProfilingH5Reader(path)
    with pytest.raises(KeyError):
        reader.get_region('nope')
    with pytest.raises(KeyError):
        reader.get_region('deep/er')


def test_missing_file(tmp_path):
    from scope_profiler.h5reader import ProfilingH5Reader

    with pytest.raises(FileNotFoundError):
        ProfilingH5Reader(tmp_path / 'missing.h5')
    with pytest.raises(FileNotFoundError):
        ProfilingH5Reader(str(tmp_path / 'missing.h5'), verbose=True)


def test_native_session_errors_follow_the_library(tmp_path):
    """The extension maps the library's error, without looking at the file
    again: a missing file, a directory, and a file that is no session."""
    import _scope_profiler_native as native

    with pytest.raises(FileNotFoundError):
        native.Session(str(tmp_path / 'missing.h5'))
    with pytest.raises(IsADirectoryError):
        native.Session(str(tmp_path))
    junk = tmp_path / 'junk.h5'
    junk.write_bytes(b'not a session at all')
    with pytest.raises(native.SessionError, match='not an HDF5 file'):
        native.Session(str(junk))


def test_file_without_regions(tmp_path):
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'bare.h5'
    with h5py.File(path, 'w'):
        pass
    reader = ProfilingH5Reader(path)
    assert reader.metadata == {}
    assert reader.get_regions() == []
    assert reader.num_ranks == 0


def test_verbose_prints(tmp_path, capsys):
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'four.h5'
    write_four_ranks(path)
    ProfilingH5Reader(path)
    assert capsys.readouterr().out == ''
    ProfilingH5Reader(path, verbose=True)
    assert 'four.h5' in capsys.readouterr().out


# --- Region and MPIRegion built by users -----------------------------------------

def test_user_region():
    from scope_profiler.region import Region

    starts = np.array([500, 100, 300, 100], dtype=np.int64)
    ends = np.array([900, 150, 310, 400], dtype=np.int64)
    region = Region(starts, ends)
    np.testing.assert_array_equal(region.start_times, starts)
    assert_region_matches(region, starts, ends)
    assert region.first_start_time == 100 / NS
    assert region.std_duration == pytest.approx(np.std(ends - starts), rel=1e-12)

    # plain lists, and other integer types
    region = Region([1, 2, 3], np.array([4, 6, 9], dtype=np.int32))
    assert region.num_calls == 3
    assert region.total_duration == 13.0
    assert region.min_duration == 3.0


def test_empty_user_region():
    from scope_profiler.region import Region

    region = Region(np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    assert region.num_calls == 0
    assert region.first_start_time == 0.0
    for attr in ('total_duration', 'average_duration', 'min_duration', 'max_duration', 'std_duration'):
        assert getattr(region, attr) == 0.0
    assert region.durations.size == 0


def test_user_region_length_mismatch():
    from scope_profiler.region import Region

    with pytest.raises(ValueError):
        Region(np.arange(3), np.arange(4))


def test_user_mpi_region():
    from scope_profiler.mpi_region import MPIRegion
    from scope_profiler.region import Region

    r0 = Region(np.array([10, 20]), np.array([15, 40]))
    r3 = Region(np.array([5]), np.array([105]))
    mpi = MPIRegion('work', {0: r0, 3: r3})
    assert mpi.name == 'work'
    assert mpi.regions == {0: r0, 3: r3}
    assert mpi[3] is r3
    assert mpi.color is None
    mpi.color = '#1f77b4'
    assert mpi.color == '#1f77b4'
    assert mpi.average_durations() == {0: 12.5, 3: 100.0}
    assert mpi.min_durations() == {0: 5.0, 3: 100.0}
    assert mpi.max_durations() == {0: 20.0, 3: 100.0}
    assert mpi.min_duration == 5.0
    assert mpi.max_duration == 100.0
    assert mpi.first_start_time == 5 / NS
    stats = mpi._statistics()
    ref = np_stats([10, 20, 5], [15, 40, 105])
    assert stats == pytest.approx(ref)
    assert mpi._statistics([0]) == pytest.approx(np_stats([10, 20], [15, 40]))
    with pytest.raises(KeyError):
        mpi[1]


def test_reader_regions_have_no_color_until_set(tmp_path):
    from scope_profiler.h5reader import ProfilingH5Reader

    path = tmp_path / 'four.h5'
    write_four_ranks(path)
    assert all(r.color is None for r in ProfilingH5Reader(path).get_regions())


# --- fixtures of the Python package's schemas, ours, and damaged files ----------

@pytest.fixture(scope='module')
def fixtures(tmp_path_factory):
    if not FIXTURES_SCRIPT.exists():
        pytest.skip('tests/fixtures/make-fixtures.py not found')
    out = tmp_path_factory.mktemp('fixtures')
    subprocess.run([sys.executable, str(FIXTURES_SCRIPT), str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    expected = configparser.ConfigParser(interpolation=None, strict=False)
    expected.optionxform = str
    expected.read(out / 'expected.ini', encoding='utf-8')
    return out, expected


@pytest.mark.parametrize('name', ['python-schema1.h5', 'python-schema2.h5', 'python-schema3.h5',
                                  'native-schema1.h5', 'big-schema3.h5', 'fuzz-schema3.h5',
                                  'links.h5'])
def test_fixture_files(fixtures, name):
    from scope_profiler.h5reader import ProfilingH5Reader

    out, expected = fixtures
    path = out / name
    reader = ProfilingH5Reader(path)
    assert_reader_matches(reader, path)

    group = 'file:' + name
    if expected.has_section(group):
        ranks = [int(r) for r in expected[group]['ranks'].split(';') if r.strip()]
        assert reader.num_ranks == len(ranks)
        # the generator's own numbers (computed from what it wrote)
        n_checked = 0
        for section in expected.sections():
            m = re.fullmatch(re.escape(group) + r'/region:(\d+)/rank:(\d+)', section)
            if not m:
                continue
            region_name = kf_unescape(expected['%s/region:%s' % (group, m.group(1))]['name'])
            rank = int(m.group(2))
            count = int(expected[section]['count'])
            if count == 0:
                assert rank not in reader.get_region(region_name).regions
                continue
            region = reader.get_region(region_name)[rank]
            assert region.num_calls == count
            assert region.total_duration == float(expected[section]['total'])
            assert region.min_duration == float(expected[section]['min'])
            assert region.max_duration == float(expected[section]['max'])
            assert region.average_duration == pytest.approx(float(expected[section]['mean']), rel=1e-12)
            assert region.std_duration == pytest.approx(float(expected[section]['std']), rel=1e-9)
            n_checked += 1
        assert n_checked > 0


def kf_unescape(value):
    """A GKeyFile string value."""
    out = []
    i = 0
    while i < len(value):
        c = value[i]
        if c == '\\' and i + 1 < len(value):
            out.append({'s': ' ', 'n': '\n', 't': '\t', 'r': '\r', '\\': '\\'}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def test_damaged_fixtures_raise(fixtures):
    from scope_profiler.h5reader import ProfilingH5Reader, SessionError

    out, expected = fixtures
    damaged = [s[len('error:'):] for s in expected.sections() if s.startswith('error:')]
    assert len(damaged) >= 20
    for name in damaged:
        with pytest.raises(SessionError) as info:
            ProfilingH5Reader(out / name)
        assert isinstance(info.value, OSError)
        message = str(info.value)
        for needle in expected['error:' + name].get('contains', '').split(';'):
            if needle:
                assert needle in message, (name, message)


# --- the package without numpy ----------------------------------------------------

def test_import_scope_profiler_without_numpy():
    code = ('import sys\n'
            'sys.modules["numpy"] = None\n'
            'import scope_profiler\n'
            'try:\n'
            '    import scope_profiler.h5reader\n'
            'except ImportError:\n'
            '    print("reader needs numpy")\n')
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            env=os.environ.copy())
    assert result.returncode == 0, result.stderr
    assert 'reader needs numpy' in result.stdout


def test_reader_needs_neither_gi_nor_h5py(tmp_path):
    path = tmp_path / 'four.h5'
    write_four_ranks(path)
    code = ('import sys\n'
            'sys.modules["gi"] = None\n'
            'sys.modules["h5py"] = None\n'
            'from scope_profiler.h5reader import ProfilingH5Reader\n'
            'r = ProfilingH5Reader(sys.argv[1])\n'
            'print(r.num_ranks, [x.name for x in r.get_regions()], r.get_region("compute")[2].num_calls)\n')
    result = subprocess.run([sys.executable, '-c', code, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split('\n')[0] == "5 ['setup', 'compute', 'deep/er/name', 'late', 'only2'] 50"
