# scope_profiler.plotting_scripts: the plots and the data behind them.
#
# Sessions are written here as the Python scope-profiler package writes them
# (schema 1: /metadata attributes and /rank<N>/regions/<name>/{start_times,
# end_times}, int64 ns; a name with '/' becomes nested groups), or by our
# ProfileManager. Every number is checked against numpy over the arrays read
# back with h5py, not through our reader.

import csv
import inspect
import json
import math
import os
import struct
import subprocess
import sys

import pytest

h5py = pytest.importorskip('h5py')
np = pytest.importorskip('numpy')
pytest.importorskip('matplotlib')

from schema1 import write_schema1  # noqa: E402

from scope_profiler import plotting_scripts as ps  # noqa: E402
from scope_profiler.h5reader import ProfilingH5Reader  # noqa: E402

T0 = 1_000_000_000_000


# --- sessions ------------------------------------------------------------------

def scaling_ranks(num_ranks, slow=1.0, with_io=True):
    """main: 3 calls per rank; solver/step: 2 calls nested in each main call;
    io: one call after them. Durations differ by rank and call."""
    ranks = {}
    for r in range(num_ranks):
        base = T0 + r * 1000
        m_s = np.array([base + k * 100_000_000 for k in range(3)])
        m_e = m_s + (np.array([8_000_000 + r * 100_000 + k * 1000 for k in range(3)]) * slow).astype(np.int64)
        # Offsets scale with the durations, so the nesting stays the same.
        s_s = np.array([m + int((1_000_000 + j * 3_000_000) * slow) for m in m_s for j in range(2)])
        s_e = s_s + (np.array([2_000_000 + k * 10_000 + j * 1000 + r * 500
                               for k in range(3) for j in range(2)]) * slow).astype(np.int64)
        regions = {'main': (m_s, m_e), 'solver/step': (s_s, s_e)}
        if with_io:
            io_s = np.array([base + 400_000_000])
            regions['io'] = (io_s, io_s + int(500_000 * (r + 1) * slow))
        ranks[r] = regions
    return ranks


def metadata(mpi_size, omp=2, label='run'):
    return {'timestamp': '2026-12-07T10:00:00', 'hostname': 'node', 'mpi_size': mpi_size,
            'omp_num_threads': omp, 'total_cores': mpi_size * omp, 'label': label}


@pytest.fixture
def four(tmp_path):
    return write_schema1(tmp_path / 'scaling4.h5', scaling_ranks(4), metadata(4, label='big'))


@pytest.fixture
def two(tmp_path):
    return write_schema1(tmp_path / 'scaling2.h5', scaling_ranks(2, slow=2.0),
                         metadata(2, label='small'))


def h5_regions(path):
    """{rank: {name: (starts, ends)}} read with h5py only; a group holding
    start_times is a region, named by its "name" attribute (our writer) or
    its path under regions/ (the Python package's nested form)."""
    result = {}
    with h5py.File(path, 'r') as f:
        for key in f:
            if key == 'metadata':
                continue
            rank = int(key[len('rank'):])
            result[rank] = {}
            if 'regions' not in f[key]:
                continue

            def visit(name, obj, rank=rank):
                if isinstance(obj, h5py.Group) and 'start_times' in obj:
                    label = obj.attrs.get('name', name)
                    if isinstance(label, bytes):
                        label = label.decode()
                    result[rank][label] = (obj['start_times'][()], obj['end_times'][()])

            f[key]['regions'].visititems(visit)
    return result


def pooled_ns(data, name, ranks=None):
    arrays = [regions[name][1] - regions[name][0] for rank, regions in sorted(data.items())
              if name in regions and (ranks is None or rank in ranks)]
    return np.concatenate(arrays).astype(np.float64) if arrays else np.array([])


def min_start_s(data):
    return min(int(s.min()) for regions in data.values() for s, _ in regions.values() if len(s)) / 1e9


def tab20(n):
    from matplotlib import colormaps
    from matplotlib.colors import to_hex
    return [to_hex(c, keep_alpha=False) for c in colormaps['tab20'](np.linspace(0, 1, n))]


def read_csv(path):
    raw = open(path, 'rb').read()
    assert b'\r\n' in raw, 'csv.writer rows end with CRLF'
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def read_json(path):
    text = open(path).read()
    assert text.endswith('}\n')
    payload = json.loads(text)
    assert text == json.dumps(payload, indent=2) + '\n'
    return payload


def assert_png(path, min_side=200, max_side=20000):
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', path
    width, height = struct.unpack('>II', head[16:24])
    assert min_side <= width <= max_side and min_side <= height <= max_side, (width, height)
    return width, height


def close(a, b, rel=1e-9, abs_=1e-12):
    return math.isclose(float(a), float(b), rel_tol=rel, abs_tol=abs_)


# --- the module ----------------------------------------------------------------

def test_public_names_and_signatures():
    assert ps.DEFAULT_CMAP == 'tab20'
    tail = [('filepath', None), ('show', False), ('verbose', True), ('cmap', 'tab20'),
            ('data_filepath', None), ('data_format', 'csv'), ('backend', 'matplotlib')]
    expected = {
        'plot_gantt': [('profiling_data', inspect.Parameter.empty), ('ranks', None),
                       ('include', None), ('exclude', None)] + tail,
        'plot_flame': [('profiling_data', inspect.Parameter.empty), ('ranks', None),
                       ('include', None), ('exclude', None)] + tail,
        'plot_durations': [('profiling_data', inspect.Parameter.empty), ('ranks', None),
                           ('include', None), ('exclude', None), ('labels', None),
                           ('metrics', None)] + tail,
        'plot_speedup': [('profiling_data', inspect.Parameter.empty), ('x_field', 'num_ranks'),
                         ('ranks', None), ('include', None), ('exclude', None)] + tail,
        'collect_region_statistics': [('profiling_data', inspect.Parameter.empty),
                                      ('ranks', None), ('include', None), ('exclude', None),
                                      ('labels', None)],
        'write_region_statistics_json': [('profiling_data', inspect.Parameter.empty),
                                         ('filepath', inspect.Parameter.empty),
                                         ('ranks', None), ('include', None), ('exclude', None),
                                         ('labels', None)],
        '_build_call_stack_intervals': [('regions', inspect.Parameter.empty),
                                        ('rank', inspect.Parameter.empty)],
    }
    for name, params in expected.items():
        sig = inspect.signature(getattr(ps, name))
        assert [(p.name, p.default) for p in sig.parameters.values()] == params, name
        # No parameter is keyword-only.
        assert all(p.kind == p.POSITIONAL_OR_KEYWORD for p in sig.parameters.values()), name


# --- Gantt ---------------------------------------------------------------------

def test_gantt_data_csv_relative_seconds(four, tmp_path, capsys):
    reader = ProfilingH5Reader(four)
    data = h5_regions(four)
    out = tmp_path / 'gantt.csv'
    assert ps.plot_gantt(reader, data_filepath=str(out)) is None
    assert 'Plotting Gantt chart for ranks: [0, 1, 2, 3]' in capsys.readouterr().out

    header, rows = read_csv(out)
    assert header == ['file', 'rank', 'region', 'start_seconds', 'end_seconds']
    t0 = min_start_s(data)
    # Regions sorted by earliest start, then ranks, then calls as stored.
    expected = []
    for name in ('main', 'solver/step', 'io'):
        for rank in range(4):
            starts, ends = data[rank][name]
            expected += [('scaling4', rank, name, s / 1e9 - t0, e / 1e9 - t0)
                         for s, e in zip(starts, ends)]
    assert len(rows) == len(expected) == 4 * (3 + 6 + 1)
    for row, exp in zip(rows, expected):
        assert row[:3] == [exp[0], str(exp[1]), exp[2]]
        assert close(row[3], exp[3]) and close(row[4], exp[4])
    assert float(rows[0][3]) == 0.0


def test_gantt_json_colors_sampled_over_sorted_names(four, tmp_path):
    reader = ProfilingH5Reader(four)
    out = tmp_path / 'gantt.json'
    ps.plot_gantt(reader, ranks=[1, 3], data_filepath=str(out), data_format='json',
                  verbose=False)
    payload = read_json(out)
    assert set(payload) == {'intervals', 'colors'}
    names = sorted(['main', 'solver/step', 'io'])
    assert payload['colors'] == dict(zip(names, tab20(3)))
    assert {i['rank'] for i in payload['intervals']} == {1, 3}
    assert set(payload['intervals'][0]) == {'file', 'rank', 'region', 'start_seconds',
                                            'end_seconds'}
    assert len(payload['intervals']) == 2 * 10
    # The plot sets each region's colour.
    assert reader.get_region('io').color == payload['colors']['io']

    # Another colormap samples other colours.
    ps.plot_gantt(reader, data_filepath=str(out), data_format='json', verbose=False,
                  cmap='viridis')
    assert read_json(out)['colors']['io'] != payload['colors']['io']


def test_gantt_png_and_two_files_with_one_stem(four, tmp_path, capsys):
    other_dir = tmp_path / 'other'
    other_dir.mkdir()
    again = write_schema1(other_dir / 'scaling4.h5', scaling_ranks(2), metadata(2))
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(again)]
    png = tmp_path / 'sub' / 'gantt.png'
    data = tmp_path / 'gantt.csv'
    ps.plot_gantt(readers, filepath=str(png), data_filepath=str(data))
    assert 'Plotting combined Gantt chart for files: scaling4, scaling4 (2)' in capsys.readouterr().out
    assert_png(png)
    _, rows = read_csv(data)
    assert {r[0] for r in rows} == {'scaling4', 'scaling4 (2)'}
    # Each file's times are relative to its own earliest call.
    starts = sorted(float(r[3]) for r in rows
                    if r[0] == 'scaling4 (2)' and r[2] == 'main' and r[1] == '0')
    assert all(close(a, b, abs_=1e-9) for a, b in zip(starts, [0.0, 0.1, 0.2]))


def test_gantt_errors(four, tmp_path):
    reader = ProfilingH5Reader(four)
    with pytest.raises(ValueError, match='No regions matched'):
        ps.plot_gantt(reader, include='nothing', verbose=False)
    with pytest.raises(ValueError, match=r'Invalid ranks requested: \[4\]'):
        ps.plot_gantt(reader, ranks=[0, 4], verbose=False)
    with pytest.raises(ValueError, match='Invalid ranks requested'):
        ps.plot_gantt(reader, ranks=-1, verbose=False)
    with pytest.raises(ValueError, match='Unknown backend'):
        ps.plot_gantt(reader, backend='svg', verbose=False)

    # A region that some rank lacks.
    ranks = scaling_ranks(2)
    del ranks[1]['io']
    partial = ProfilingH5Reader(write_schema1(tmp_path / 'partial.h5', ranks, metadata(2)))
    with pytest.raises(KeyError):
        ps.plot_gantt(partial, verbose=False)
    ps.plot_gantt(partial, ranks=[0], verbose=False)

    # Regions without calls.
    empty = {0: {'idle': ([], [])}}
    idle = ProfilingH5Reader(write_schema1(tmp_path / 'idle.h5', empty, metadata(1)))
    with pytest.raises(ValueError, match='No calls'):
        ps.plot_gantt(idle, verbose=False)


def test_include_exclude_regexes_are_prefix_anchored(four, tmp_path):
    reader = ProfilingH5Reader(four)
    out = tmp_path / 'g.csv'
    ps.plot_gantt(reader, include=['sol', 'i'], exclude='io', data_filepath=str(out),
                  verbose=False)
    assert {r[2] for r in read_csv(out)[1]} == {'solver/step'}
    with pytest.raises(ValueError):
        ps.plot_gantt(reader, include='step', verbose=False)


# --- flame ---------------------------------------------------------------------

def region_with(name, starts, ends, rank=0):
    """An MPIRegion built the spec's way, from a Region of ns arrays."""
    from scope_profiler.mpi_region import MPIRegion
    from scope_profiler.region import Region
    return MPIRegion(name, {rank: Region(np.asarray(starts, dtype=np.int64),
                                         np.asarray(ends, dtype=np.int64))})


def test_call_stack_intervals_nesting():
    outer = region_with('outer', [100, 1000], [900, 2000])
    inner = region_with('inner', [100, 200, 500, 900], [150, 500, 800, 950])
    deep = region_with('deep', [210], [300])
    outer.color = '#ff0000'
    calls = ps._build_call_stack_intervals([inner, outer, deep], 0)
    got = [(c['name'], c['start'], c['end'], c['depth'], c['parent']) for c in calls]
    assert got == [
        ('outer', 100e-9, 900e-9, 0, None),   # same start: the longer call first
        ('inner', 100e-9, 150e-9, 1, 0),
        ('inner', 200e-9, 500e-9, 1, 0),
        ('deep', 210e-9, 300e-9, 2, 2),
        ('inner', 500e-9, 800e-9, 1, 0),      # starts where the previous one ends
        ('inner', 900e-9, 950e-9, 0, None),   # starts where outer ends: not nested
        ('outer', 1000e-9, 2000e-9, 0, None),
    ]
    assert calls[0]['color'] == '#ff0000' and calls[1]['color'] is None
    assert set(calls[0]) == {'name', 'start', 'end', 'color', 'depth', 'parent'}
    # Only the given regions, only the given rank.
    assert [c['name'] for c in ps._build_call_stack_intervals([deep], 0)] == ['deep']
    assert ps._build_call_stack_intervals([outer, inner], 1) == []


def test_flame_data_absolute_seconds_and_depth(four, tmp_path, capsys):
    reader = ProfilingH5Reader(four)
    data = h5_regions(four)
    out = tmp_path / 'flame.csv'
    png = tmp_path / 'flame.png'
    ps.plot_flame(reader, filepath=str(png), data_filepath=str(out))
    assert 'Plotting flame graph for: scaling4 (rank 0)' in capsys.readouterr().out
    assert_png(png)
    header, rows = read_csv(out)
    assert header == ['file', 'rank', 'region', 'depth', 'start_seconds', 'end_seconds']
    assert {r[1] for r in rows} == {'0'}     # rank 0 by default
    depth = {'main': 0, 'solver/step': 1, 'io': 0}
    expected = sorted(((s, -e, name) for name, (ss, ee) in data[0].items()
                       for s, e in zip(ss.tolist(), ee.tolist())))
    assert len(rows) == len(expected) == 10
    for row, (s, neg_e, name) in zip(rows, expected):
        assert row[0] == 'scaling4' and row[2] == name and int(row[3]) == depth[name]
        assert close(row[4], s / 1e9) and close(row[5], -neg_e / 1e9)


def test_flame_ranks_json_and_errors(four, two, tmp_path):
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(two)]
    out = tmp_path / 'flame.json'
    ps.plot_flame(readers, ranks=[1], data_filepath=str(out), data_format='json',
                  verbose=False)
    payload = read_json(out)
    assert set(payload) == {'calls', 'colors'}
    assert {(c['file'], c['rank']) for c in payload['calls']} == {('scaling4', 1), ('scaling2', 1)}
    assert payload['colors'] == dict(zip(['io', 'main', 'solver/step'], tab20(3)))
    assert max(c['depth'] for c in payload['calls']) == 1

    with pytest.raises(ValueError, match='Invalid rank requested: 3'):
        ps.plot_flame(readers, ranks=[3], verbose=False)   # scaling2 has ranks 0-1
    with pytest.raises(ValueError, match='No regions matched'):
        ps.plot_flame(readers, exclude='.*', verbose=False)


def test_flame_without_calls(tmp_path):
    # Rank 0 exists (its group counts in num_ranks) but its region has no calls.
    idle = ProfilingH5Reader(write_schema1(tmp_path / 'idle.h5', {0: {'idle': ([], [])}},
                                           metadata(1)))
    assert idle.num_ranks == 1
    with pytest.raises(ValueError, match='No calls'):
        ps.plot_flame(idle, verbose=False)


# --- durations -----------------------------------------------------------------

def test_durations_metrics_against_numpy(four, two, tmp_path, capsys):
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(two)]
    data = {'scaling4': h5_regions(four), 'scaling2': h5_regions(two)}
    out = tmp_path / 'durations.csv'
    written = ps.plot_durations(readers, ranks=[1, 3], data_filepath=str(out))
    assert written == []
    assert 'Plotting duration comparison (avg, min, max, total) for files: scaling4, scaling2' \
        in capsys.readouterr().out
    header, rows = read_csv(out)
    assert header == ['file', 'region', 'metric', 'value_seconds']
    fns = {'avg': np.mean, 'min': np.min, 'max': np.max, 'total': np.sum}
    expected = [(label, name, metric, fns[metric](pooled_ns(data[label], name, [1, 3])) / 1e9)
                for metric in ('avg', 'min', 'max', 'total')
                for label in ('scaling4', 'scaling2')
                for name in ('main', 'solver/step', 'io')]
    assert [tuple(r[:3]) for r in rows] == [e[:3] for e in expected]
    for row, exp in zip(rows, expected):
        # scaling2 has no rank 3: pooled over rank 1 alone.
        assert close(row[3], exp[3]), (row, exp)


def test_durations_files_and_json(four, two, tmp_path):
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(two)]
    base = tmp_path / 'plots' / 'durations.png'
    written = ps.plot_durations(readers, metrics=['max', 'avg'], filepath=str(base),
                                data_filepath=str(tmp_path / 'd.json'), data_format='json',
                                labels=['A', 'B'], verbose=False)
    assert written == [str(tmp_path / 'plots' / 'durations_max.png'),
                       str(tmp_path / 'plots' / 'durations_avg.png')]
    for path in written:
        assert_png(path)
    payload = read_json(tmp_path / 'd.json')
    assert set(payload) == {'bars', 'colors', 'metrics'}
    assert payload['metrics'] == ['max', 'avg']
    assert payload['colors'] == dict(zip(['A', 'B'], tab20(2)))
    assert payload['bars'][0] == {'file': 'A', 'region': 'main', 'metric': 'max',
                                  'value_seconds': payload['bars'][0]['value_seconds']}
    assert len(payload['bars']) == 2 * 2 * 3

    one = tmp_path / 'one.png'
    assert ps.plot_durations(readers[0], metrics='total', filepath=str(one),
                             verbose=False) == [str(one)]
    assert_png(one)


def test_durations_nan_without_calls_and_common_regions(tmp_path):
    a = write_schema1(tmp_path / 'a.h5', {0: {'work': ([10, 30], [20, 50]), 'idle': ([], []),
                                              'only_a': ([5], [6])}}, metadata(1))
    b = write_schema1(tmp_path / 'b.h5', {0: {'idle': ([1], [4]), 'work': ([1], [2])}},
                      metadata(1))
    readers = [ProfilingH5Reader(a), ProfilingH5Reader(b)]
    out = tmp_path / 'd.csv'
    ps.plot_durations(readers, metrics=['avg'], data_filepath=str(out), verbose=False)
    rows = read_csv(out)[1]
    values = {(r[0], r[1]): r[3] for r in rows}
    # Common regions only, in the first file's order (by earliest start).
    assert [r[1] for r in rows[:2]] == [r.name for r in readers[0].get_regions()
                                        if r.name != 'only_a']
    assert math.isnan(float(values[('a', 'idle')]))
    assert close(values[('a', 'work')], 15e-9) and close(values[('b', 'idle')], 3e-9)
    ps.plot_durations(readers, metrics=['avg'], data_filepath=str(tmp_path / 'd.json'),
                      data_format='json', verbose=False)
    bars = read_json(tmp_path / 'd.json')['bars']
    assert [b['value_seconds'] for b in bars if b['region'] == 'idle'][0] is None


def test_durations_errors(four, two):
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(two)]
    with pytest.raises(ValueError, match='Unknown metric'):
        ps.plot_durations(readers, metrics=['avg', 'median'], verbose=False)
    with pytest.raises(ValueError, match='labels must match'):
        ps.plot_durations(readers, labels=['only one'], verbose=False)
    with pytest.raises(ValueError, match='No regions matched'):
        ps.plot_durations(readers, include='nothing', verbose=False)


# --- speedup -------------------------------------------------------------------

def mean_s(path, name, ranks=None):
    return float(np.mean(pooled_ns(h5_regions(path), name, ranks))) / 1e9


def test_speedup_num_ranks(four, two, tmp_path, capsys):
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(two)]   # not in x order
    out = tmp_path / 's.csv'
    png = tmp_path / 's.png'
    assert ps.plot_speedup(readers, filepath=str(png), data_filepath=str(out)) is None
    assert "x_field='num_ranks', values: 2, 4" in capsys.readouterr().out
    assert_png(png)
    header, rows = read_csv(out)
    assert header == ['region', 'num_ranks', 'speedup']
    assert [(r[0], r[1]) for r in rows] == [(n, x) for n in ('main', 'solver/step', 'io')
                                            for x in ('2', '4')]
    for name, x, speedup in rows:
        baseline = mean_s(two, name)
        mean = mean_s(four if x == '4' else two, name)
        assert close(speedup, baseline / mean)
    assert float(rows[0][2]) == 1.0 and float(rows[1][2]) > 1.5


def test_speedup_fields_averaging_and_json(four, two, tmp_path):
    third = write_schema1(tmp_path / 'again2.h5', scaling_ranks(2, slow=3.0), metadata(2, omp=4, label='other'))
    readers = [ProfilingH5Reader(p) for p in (four, two, third)]
    out = tmp_path / 's.json'

    ps.plot_speedup(readers, x_field='total_cores', data_filepath=str(out), data_format='json',
                    verbose=False)
    payload = read_json(out)
    assert set(payload) == {'points', 'colors'}
    assert payload['colors'] == dict(zip(['main', 'solver/step', 'io'], tab20(3)))
    main = {p['total_cores']: p['speedup'] for p in payload['points'] if p['region'] == 'main'}
    # total_cores = num_ranks x omp_num_threads: 8, 4, 8 -> equal x averaged.
    assert sorted(main) == [4, 8]
    at8 = (mean_s(four, 'main') + mean_s(third, 'main')) / 2
    assert close(main[4], 1.0) and close(main[8], mean_s(two, 'main') / at8)
    assert set(payload['points'][0]) == {'region', 'total_cores', 'speedup'}

    # num_ranks: 4, 2, 2 -> the two 2-rank files averaged into the baseline.
    ps.plot_speedup(readers, ranks=[0], data_filepath=str(out), data_format='json',
                    verbose=False)
    io = {p['num_ranks']: p['speedup'] for p in read_json(out)['points'] if p['region'] == 'io'}
    base = (mean_s(two, 'io', [0]) + mean_s(third, 'io', [0])) / 2
    assert close(io[4], base / mean_s(four, 'io', [0]))

    # Any other metadata field: categories in file order, the first is the baseline.
    csv_out = tmp_path / 's.csv'
    ps.plot_speedup(readers, x_field='label', filepath=str(tmp_path / 'cat.png'),
                    data_filepath=str(csv_out), verbose=False)
    header, rows = read_csv(csv_out)
    assert header == ['region', 'label', 'speedup']
    assert [r[1] for r in rows if r[0] == 'main'] == ['big', 'small', 'other']
    assert close([r[2] for r in rows if r[0] == 'main'][0], 1.0)
    assert_png(tmp_path / 'cat.png')


def test_speedup_errors(four, two, tmp_path):
    r4, r2 = ProfilingH5Reader(four), ProfilingH5Reader(two)
    with pytest.raises(ValueError, match='at least two'):
        ps.plot_speedup(r4, verbose=False)
    with pytest.raises(ValueError, match='at least two'):
        ps.plot_speedup([r4], verbose=False)
    with pytest.raises(ValueError, match='No regions matched'):
        ps.plot_speedup([r4, r2], include='nothing', verbose=False)
    with pytest.raises(ValueError, match="Metadata field 'nope' not found for .*scaling4"):
        ps.plot_speedup([r4, r2], x_field='nope', verbose=False)
    bare = write_schema1(tmp_path / 'bare.h5', scaling_ranks(1), {'mpi_size': 1})
    with pytest.raises(ValueError, match='omp_num_threads'):
        ps.plot_speedup([r4, ProfilingH5Reader(bare)], x_field='omp_num_threads', verbose=False)
    with pytest.raises(ValueError, match='omp_num_threads'):
        ps.plot_speedup([r4, ProfilingH5Reader(bare)], x_field='total_cores', verbose=False)
    # The baseline file has no calls of the common region.
    idle = write_schema1(tmp_path / 'idle.h5', {0: {'main': ([], [])}}, metadata(1))
    with pytest.raises(ValueError, match='No valid speedup data'):
        ps.plot_speedup([ProfilingH5Reader(idle), r4], verbose=False)


# --- statistics ----------------------------------------------------------------

def expected_stats(values_ns):
    if not len(values_ns):
        return {'count': 0, 'average_duration_seconds': None, 'min_duration_seconds': None,
                'max_duration_seconds': None, 'std_duration_seconds': None,
                'total_duration_seconds': None}
    v = np.asarray(values_ns, dtype=np.float64)
    return {'count': len(v), 'average_duration_seconds': v.mean() / 1e9,
            'min_duration_seconds': v.min() / 1e9, 'max_duration_seconds': v.max() / 1e9,
            'std_duration_seconds': v.std() / 1e9, 'total_duration_seconds': v.sum() / 1e9}


def assert_stats(got, exp):
    assert set(got) >= set(exp)
    assert got['count'] == exp['count']
    for key, value in exp.items():
        if value is None:
            assert got[key] is None, key
        elif key != 'count':
            assert math.isclose(got[key], value, rel_tol=1e-9, abs_tol=1e-15), (key, got[key], value)


def test_region_statistics(four, two, tmp_path):
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(two)]
    path = tmp_path / 'stats' / 'region_statistics.json'
    payload = ps.write_region_statistics_json(readers, str(path), ranks=[0, 1, 3],
                                              exclude='io')
    assert json.loads(path.read_text()) == payload
    assert payload == ps.collect_region_statistics(readers, ranks=[0, 1, 3], exclude='io')
    assert payload['units'] == {'durations': 'seconds'}
    assert payload['filters'] == {'include': None, 'exclude': 'io', 'ranks': [0, 1, 3]}
    assert payload['common_regions'] == ['main', 'solver/step']
    assert [f['label'] for f in payload['files']] == ['scaling4', 'scaling2']
    for entry, source in zip(payload['files'], (four, two)):
        assert entry['file_path'] == os.path.abspath(source)
        data = h5_regions(source)
        assert entry['num_ranks'] == len(data)
        assert list(entry['region_statistics']) == ['main', 'solver/step']
        for name, stats in entry['region_statistics'].items():
            assert_stats(stats, expected_stats(pooled_ns(data, name, [0, 1, 3])))
            present = [r for r in (0, 1, 3) if r in data]
            assert list(stats['per_rank']) == [str(r) for r in present]
            for rank in present:
                assert_stats(stats['per_rank'][str(rank)],
                             expected_stats(pooled_ns(data, name, [rank])))


def test_region_statistics_single_file_empty_region_and_labels(tmp_path):
    path = write_schema1(tmp_path / 'one.h5', {0: {'a/b': ([10, 20], [15, 40]), 'idle': ([], [])},
                                               1: {'a/b': ([12], [13])}}, metadata(2))
    reader = ProfilingH5Reader(path)
    payload = ps.collect_region_statistics(reader, labels=['mine'], include=['a', 'i'])
    assert payload['filters'] == {'include': ['a', 'i'], 'exclude': None, 'ranks': None}
    stats = payload['files'][0]['region_statistics']
    assert payload['common_regions'] == list(stats) and set(stats) == {'a/b', 'idle'}
    assert payload['files'][0]['label'] == 'mine'
    assert_stats(stats['a/b'], expected_stats([5, 20, 1]))
    assert_stats(stats['a/b']['per_rank']['1'], expected_stats([1]))
    assert_stats(stats['idle'], expected_stats([]))
    with pytest.raises(ValueError, match='labels must match'):
        ps.collect_region_statistics(reader, labels=['a', 'b'])


def test_region_statistics_rank_without_calls(tmp_path):
    # A rank that has the region but never called it: in per_rank, with
    # count 0 and nulls.
    path = write_schema1(tmp_path / 'one.h5', {0: {'work': ([10], [15]), 'idle': ([], [])},
                                               1: {'work': ([12], [13]), 'idle': ([2], [4])}},
                         metadata(2))
    stats = ps.collect_region_statistics(ProfilingH5Reader(path))['files'][0]['region_statistics']
    assert list(stats['idle']['per_rank']) == ['0', '1']
    assert_stats(stats['idle']['per_rank']['0'], expected_stats([]))
    assert_stats(stats['idle']['per_rank']['1'], expected_stats([2]))
    assert_stats(stats['idle'], expected_stats([2]))


def test_session_written_by_profile_manager(tmp_path):
    from scope_profiler import ProfileManager

    path = str(tmp_path / 'pm.h5')
    ProfileManager.setup(file_path=path, verbose=False)
    try:
        for _ in range(3):
            with ProfileManager.profile_region('phase/a'):
                with ProfileManager.profile_region('inner'):
                    pass
        ProfileManager.finalize(verbose=False)
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)
    data = h5_regions(path)
    reader = ProfilingH5Reader(path)
    stats = ps.collect_region_statistics(reader)['files'][0]['region_statistics']
    assert set(stats) == {'phase/a', 'inner'}
    assert_stats(stats['phase/a'], expected_stats(pooled_ns(data, 'phase/a')))
    out = tmp_path / 'flame.csv'
    ps.plot_flame(reader, data_filepath=str(out), verbose=False)
    rows = read_csv(out)[1]
    assert [(r[2], r[3]) for r in rows] == [('phase/a', '0'), ('inner', '1')] * 3


# --- drawing -------------------------------------------------------------------

HEADLESS = r'''
import sys
from scope_profiler.h5reader import ProfilingH5Reader
from scope_profiler.plotting_scripts import plot_gantt
plot_gantt(ProfilingH5Reader(sys.argv[1]), filepath=sys.argv[2], verbose=False)
print('pyplot' if 'matplotlib.pyplot' in sys.modules else 'no pyplot')
'''


def test_headless_without_display(four, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ('DISPLAY', 'WAYLAND_DISPLAY', 'MPLBACKEND')}
    png = tmp_path / 'g.png'
    result = subprocess.run([sys.executable, '-c', HEADLESS, four, str(png)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # Drawn off-screen: pyplot (and its backend choice) is left alone.
    assert result.stdout.strip() == 'no pyplot'
    assert_png(png)


NO_MATPLOTLIB = r'''
import sys
sys.modules['matplotlib'] = None
from scope_profiler.h5reader import ProfilingH5Reader
from scope_profiler import plotting_scripts as ps
reader = ProfilingH5Reader(sys.argv[1])
for f in (ps.plot_gantt, ps.plot_flame, ps.plot_durations):
    try:
        f(reader, include='no such region', verbose=False)
    except ImportError as exc:
        assert 'matplotlib' in str(exc), exc
    else:
        raise SystemExit('no ImportError from %s' % f.__name__)
print('ok')
'''


def test_import_error_first_without_matplotlib(four):
    result = subprocess.run([sys.executable, '-c', NO_MATPLOTLIB, four], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == 'ok'


def test_plotly_backend_needs_plotly(four, tmp_path):
    try:
        import plotly  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip('plotly is installed')
    reader = ProfilingH5Reader(four)
    with pytest.raises(ImportError, match='plotly'):
        ps.plot_gantt(reader, filepath=str(tmp_path / 'g.html'), backend='plotly',
                      verbose=False)
    assert not (tmp_path / 'g.html').exists()
    # Data alone needs no renderer.
    ps.plot_gantt(reader, data_filepath=str(tmp_path / 'g.csv'), backend='plotly',
                  verbose=False)
    assert (tmp_path / 'g.csv').exists()


SHOW = r'''
import sys
from scope_profiler.h5reader import ProfilingH5Reader
from scope_profiler import plotting_scripts as ps
reader = ProfilingH5Reader(sys.argv[1])
ps.plot_gantt(reader, show=True, filepath=sys.argv[2], verbose=False)
ps.plot_flame(reader, show=True, verbose=False)
assert ps.plot_durations(reader, show=True, metrics=['avg', 'max'], verbose=False) == []
import matplotlib.pyplot as plt
print(plt.get_backend().lower(), len(plt.get_fignums()))
'''


def test_show_uses_pyplot_and_closes_its_figures(four, tmp_path):
    # MPLBACKEND=Agg: plt.show() returns at once, as a window would when closed.
    env = dict(os.environ, MPLBACKEND='Agg')
    png = tmp_path / 'g.png'
    result = subprocess.run([sys.executable, '-W', 'ignore', '-c', SHOW, four, str(png)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['agg', '0']
    assert_png(png)


def test_plotly_backend_writes_html(four, two, tmp_path):
    pytest.importorskip('plotly')
    readers = [ProfilingH5Reader(four), ProfilingH5Reader(two)]
    for name, plot in (('gantt', ps.plot_gantt), ('flame', ps.plot_flame),
                       ('speedup', ps.plot_speedup)):
        path = tmp_path / (name + '.html')
        plot(readers, filepath=str(path), backend='plotly', verbose=False)
        text = path.read_text()
        assert '<html>' in text and 'solver/step' in text, name
    written = ps.plot_durations(readers, filepath=str(tmp_path / 'd.html'), backend='plotly',
                                metrics=['avg', 'max'], verbose=False)
    assert written == [str(tmp_path / 'd_avg.html'), str(tmp_path / 'd_max.html')]
    assert all(os.path.getsize(p) > 1000 for p in written)
    try:
        import kaleido  # noqa: F401
    except ImportError:
        # Other extensions are images, which plotly writes through kaleido.
        with pytest.raises(RuntimeError, match='kaleido'):
            ps.plot_gantt(readers, filepath=str(tmp_path / 'g.png'), backend='plotly',
                          verbose=False)
