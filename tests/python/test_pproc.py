# scope_profiler.post_processing: "scope-profiler pproc", its options and
# every file it writes.
#
# Sessions are written here in the Python scope-profiler package's schema 1
# with h5py (a name with '/' as nested groups); the numbers are checked
# against numpy over the arrays read back with h5py, not through our reader.

import csv
import json
import math
import os
import shutil
import struct

import pytest

h5py = pytest.importorskip('h5py')
np = pytest.importorskip('numpy')
pytest.importorskip('matplotlib')

from schema1 import write_schema1  # noqa: E402

from scope_profiler import post_processing as pp  # noqa: E402

T0 = 2_000_000_000_000


# --- sessions ------------------------------------------------------------------

def session(num_ranks, slow=1.0):
    """Per rank: 'step' 2x, each with 'step/assemble' and 'step/solve'
    nested; 'output' once at the end."""
    ranks = {}
    for r in range(num_ranks):
        base = T0 + r * 777
        step_s = base + np.array([0, 50_000_000])
        step_e = step_s + (np.array([20_000_000, 21_000_000]) * slow + r * 1000).astype(np.int64)
        asm_s = step_s + int(1_000_000 * slow)
        asm_e = asm_s + (np.array([3_000_000, 3_100_000]) * slow + r * 10).astype(np.int64)
        sol_s = step_s + int(5_000_000 * slow)
        sol_e = sol_s + (np.array([9_000_000, 9_500_000]) * slow + r * 20).astype(np.int64)
        out_s = base + np.array([200_000_000])
        ranks[r] = {'step': (step_s, step_e), 'step/assemble': (asm_s, asm_e),
                    'step/solve': (sol_s, sol_e),
                    'output': (out_s, out_s + int(700_000 * (r + 1)))}
    return ranks


def meta(size, omp=1):
    return {'hostname': 'node', 'mpi_size': size, 'omp_num_threads': omp,
            'total_cores': size * omp}


@pytest.fixture
def runs(tmp_path):
    d = tmp_path / 'runs'
    d.mkdir()
    return {
        'r4': write_schema1(d / 'r4.h5', session(4), meta(4)),
        'r2': write_schema1(d / 'r2.h5', session(2, slow=1.8), meta(2)),
    }


def h5_regions(path):
    result = {}
    with h5py.File(path, 'r') as f:
        for key in f:
            if key == 'metadata':
                continue
            rank = int(key[len('rank'):])
            result[rank] = {}

            def visit(name, obj, rank=rank):
                if isinstance(obj, h5py.Group) and 'start_times' in obj:
                    result[rank][obj.attrs.get('name', name)] = (obj['start_times'][()],
                                                                 obj['end_times'][()])

            if 'regions' in f[key]:
                f[key]['regions'].visititems(visit)
    return result


def pooled_ns(data, name, ranks=None):
    arrays = [regions[name][1] - regions[name][0] for rank, regions in sorted(data.items())
              if name in regions and (ranks is None or rank in ranks)]
    return np.concatenate(arrays).astype(np.float64) if arrays else np.array([])


def read_csv(path):
    assert b'\r\n' in open(path, 'rb').read()
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def read_json(path):
    text = open(path).read()
    payload = json.loads(text)
    assert text == json.dumps(payload, indent=2) + '\n'
    return payload


def assert_png(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    assert head[:8] == b'\x89PNG\r\n\x1a\n', path
    width, height = struct.unpack('>II', head[16:24])
    assert 200 <= width <= 20000 and 200 <= height <= 20000, (path, width, height)


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def saved_paths(stdout):
    lines = stdout.splitlines()
    start = lines.index('Outputs saved to:')
    paths = []
    for line in lines[start + 1:]:
        assert line.startswith('  ') and not line.startswith('   ')
        paths.append(line[2:])
    return paths


def run(argv):
    return pp.main([str(a) for a in argv])


def exit_code(argv):
    with pytest.raises(SystemExit) as info:
        run(argv)
    return info.value.code


# --- parser and helpers --------------------------------------------------------

def test_parse_ranks():
    assert pp.parse_ranks('0-3,5') == [0, 1, 2, 3, 5]
    assert pp.parse_ranks('5,1,1-2') == [1, 2, 5]
    assert pp.parse_ranks(' 7 ') == [7]
    for bad in ('a', '3-1', '1-', '-2', '1.5', ''):
        with pytest.raises(ValueError):
            pp.parse_ranks(bad)


def test_parse_ranks_verbose(capsys):
    pp.parse_ranks('0-1,4', verbose=True)
    out = capsys.readouterr().out
    assert 'Parsing rank part: 0-1' in out and 'Parsed ranks: [0, 1, 4]' in out


def test_parser_defaults():
    args = pp.build_parser().parse_args(['a.h5'])
    assert args.files == ['a.h5']
    assert (args.show, args.output, args.include, args.exclude, args.ranks, args.metrics) == \
        (False, None, None, None, None, None)
    assert (args.x_field, args.cmap, args.backend) == ('num_ranks', 'tab20', 'matplotlib')
    assert (args.export_data, args.export_data_format, args.skip_plot_images) == \
        (False, 'csv', False)
    args = pp.build_parser().parse_args(['a.h5', '--output', 'o', '-i', 'x', 'y', '-e', 'z',
                                         '-r', '0-1', '3', '-m', 'avg', 'max',
                                         '--x-field', 'total_cores', '--cmap', 'viridis',
                                         '--backend', 'plotly', '--export-data',
                                         '--export-data-format', 'json',
                                         '--skip-plot-images', '--show'])
    assert (args.output, args.include, args.exclude, args.ranks, args.metrics) == \
        ('o', ['x', 'y'], ['z'], ['0-1', '3'], ['avg', 'max'])
    assert (args.x_field, args.cmap, args.backend, args.export_data_format) == \
        ('total_cores', 'viridis', 'plotly', 'json')
    assert args.export_data and args.skip_plot_images and args.show


def test_expand_file_patterns(runs, tmp_path):
    parser = pp.build_parser()
    d = tmp_path / 'runs'
    nested = d / 'deep' / 'er'
    nested.mkdir(parents=True)
    shutil.copy(runs['r2'], nested / 'r0.h5')
    (d / 'dir.h5').mkdir()                       # a directory matched by *.h5: skipped
    assert pp.expand_file_patterns([str(d / '*.h5')], parser) == [runs['r2'], runs['r4']]
    # Duplicates (also spelt differently) once, first spelling kept; ** recursive.
    again = str(d / '..' / 'runs' / 'r4.h5')
    assert pp.expand_file_patterns([runs['r4'], str(d / 'r?.h5'), again,
                                    str(d / '**' / 'r0.h5')], parser) == \
        [runs['r4'], runs['r2'], str(nested / 'r0.h5')]
    for missing in ([str(d / 'nothing*.h5')], [str(d / 'nofile.h5')]):
        with pytest.raises(SystemExit) as info:
            pp.expand_file_patterns(missing, parser)
        assert info.value.code == 2


# --- a full run ----------------------------------------------------------------

def test_two_files_every_output(runs, tmp_path, capsys):
    out = tmp_path / 'out' / 'figs'
    assert run([runs['r4'], runs['r2'], '-o', out, '--export-data']) is None
    captured = capsys.readouterr()
    paths = saved_paths(captured.out)
    names = ['gantt_plot.png', 'gantt_data.csv', 'flame_plot.png', 'flame_data.csv',
             'durations_plot_avg.png', 'durations_plot_min.png', 'durations_plot_max.png',
             'durations_plot_total.png', 'durations_data.csv', 'speedup_plot.png',
             'speedup_data.csv', 'region_statistics.json']
    assert sorted(paths) == sorted(str(out / n) for n in names)
    assert sorted(os.listdir(out)) == sorted(names)
    for name in names:
        if name.endswith('.png'):
            assert_png(out / name)

    d4, d2 = h5_regions(runs['r4']), h5_regions(runs['r2'])

    # Gantt: every call of every rank, seconds since the file's first call.
    header, rows = read_csv(out / 'gantt_data.csv')
    assert header == ['file', 'rank', 'region', 'start_seconds', 'end_seconds']
    assert len(rows) == (4 + 2) * (2 + 2 + 2 + 1)
    t0 = min(int(s.min()) for regions in d4.values() for s, _ in regions.values()) / 1e9
    got = {(r[1], r[2]): [] for r in rows if r[0] == 'r4'}
    for r in rows:
        if r[0] == 'r4':
            got[(r[1], r[2])].append((float(r[3]), float(r[4])))
    for rank, regions in d4.items():
        for name, (s, e) in regions.items():
            exp = list(zip(s / 1e9 - t0, e / 1e9 - t0))
            assert all(close(a, c) and close(b, d) for (a, b), (c, d)
                       in zip(got[(str(rank), name)], exp))

    # Flame: rank 0 of each file, absolute seconds, nesting depth.
    header, rows = read_csv(out / 'flame_data.csv')
    assert header == ['file', 'rank', 'region', 'depth', 'start_seconds', 'end_seconds']
    assert {(r[0], r[1]) for r in rows} == {('r4', '0'), ('r2', '0')}
    depth = {'step': '0', 'step/assemble': '1', 'step/solve': '1', 'output': '0'}
    assert all(r[3] == depth[r[2]] for r in rows)
    first = [r for r in rows if r[0] == 'r4'][0]
    assert first[2] == 'step' and close(first[4], d4[0]['step'][0][0] / 1e9)

    # Durations: pooled over all ranks, every metric.
    header, rows = read_csv(out / 'durations_data.csv')
    assert header == ['file', 'region', 'metric', 'value_seconds']
    fns = {'avg': np.mean, 'min': np.min, 'max': np.max, 'total': np.sum}
    assert [r[2] for r in rows[::8]] == ['avg', 'min', 'max', 'total']
    for label, region, metric, value in rows:
        data = d4 if label == 'r4' else d2
        assert close(value, fns[metric](pooled_ns(data, region)) / 1e9), (label, region, metric)

    # Speedup: baseline 2 ranks.
    header, rows = read_csv(out / 'speedup_data.csv')
    assert header == ['region', 'num_ranks', 'speedup']
    for region, x, speedup in rows:
        mean2 = np.mean(pooled_ns(d2, region))
        mean_x = np.mean(pooled_ns(d4 if x == '4' else d2, region))
        assert close(speedup, mean2 / mean_x)
    assert {r[1] for r in rows} == {'2', '4'}

    # Statistics.
    stats = json.loads((out / 'region_statistics.json').read_text())
    assert stats['units'] == {'durations': 'seconds'}
    assert stats['filters'] == {'include': None, 'exclude': None, 'ranks': None}
    assert stats['common_regions'] == ['step', 'step/assemble', 'step/solve', 'output']
    assert [f['label'] for f in stats['files']] == ['r4', 'r2']
    for entry, data, path in zip(stats['files'], (d4, d2), (runs['r4'], runs['r2'])):
        assert entry['file_path'] == os.path.abspath(path)
        assert entry['num_ranks'] == len(data)
        for name, s in entry['region_statistics'].items():
            v = pooled_ns(data, name)
            assert s['count'] == len(v)
            assert close(s['average_duration_seconds'], v.mean() / 1e9)
            assert close(s['min_duration_seconds'], v.min() / 1e9)
            assert close(s['max_duration_seconds'], v.max() / 1e9)
            assert close(s['std_duration_seconds'], v.std() / 1e9)
            assert close(s['total_duration_seconds'], v.sum() / 1e9)
            assert list(s['per_rank']) == [str(r) for r in range(len(data))]
            for rank, rs in s['per_rank'].items():
                rv = pooled_ns(data, name, [int(rank)])
                assert rs['count'] == len(rv) and close(rs['std_duration_seconds'], rv.std() / 1e9)


def test_json_export_ranks_filters_one_metric(runs, tmp_path, capsys):
    out = tmp_path / 'o'
    run([runs['r4'], '-o', out, '--export-data', '--export-data-format', 'json',
         '-r', '0-1', '3', '-i', 'step', '-e', 'step/ass', '-m', 'max'])
    paths = saved_paths(capsys.readouterr().out)
    names = ['gantt_plot.png', 'gantt_data.json', 'flame_plot.png', 'flame_data.json',
             'durations_plot.png', 'durations_data.json', 'region_statistics.json']
    assert sorted(paths) == sorted(str(out / n) for n in names)
    assert sorted(os.listdir(out)) == sorted(names)      # one file: no speedup
    assert_png(out / 'durations_plot.png')

    gantt = read_json(out / 'gantt_data.json')
    assert set(gantt) == {'intervals', 'colors'}
    assert {i['rank'] for i in gantt['intervals']} == {0, 1, 3}
    assert {i['region'] for i in gantt['intervals']} == {'step', 'step/solve'}
    assert list(gantt['colors']) == ['step', 'step/solve']
    assert gantt['colors']['step'] != gantt['colors']['step/solve']

    flame = read_json(out / 'flame_data.json')
    assert set(flame) == {'calls', 'colors'}
    # The flame graph honours --ranks.
    assert {c['rank'] for c in flame['calls']} == {0, 1, 3}
    assert {c['depth'] for c in flame['calls'] if c['region'] == 'step/solve'} == {1}

    durations = read_json(out / 'durations_data.json')
    assert durations['metrics'] == ['max']
    assert list(durations['colors']) == ['r4']
    data = h5_regions(runs['r4'])
    for bar in durations['bars']:
        assert bar['metric'] == 'max' and bar['file'] == 'r4'
        assert close(bar['value_seconds'], pooled_ns(data, bar['region'], [0, 1, 3]).max() / 1e9)

    stats = json.loads((out / 'region_statistics.json').read_text())
    assert stats['filters'] == {'include': ['step'], 'exclude': ['step/ass'], 'ranks': [0, 1, 3]}
    assert stats['common_regions'] == ['step', 'step/solve']
    s = stats['files'][0]['region_statistics']['step/solve']
    assert list(s['per_rank']) == ['0', '1', '3']
    assert s['count'] == 6


def test_skip_plot_images_and_x_field(runs, tmp_path, capsys):
    out = tmp_path / 'o'
    r4b = write_schema1(tmp_path / 'runs' / 'r4b.h5', session(4), meta(4, omp=2))
    run([str(tmp_path / 'runs' / '*.h5'), runs['r2'], '-o', out, '--export-data',
         '--skip-plot-images', '--x-field', 'total_cores'])
    paths = saved_paths(capsys.readouterr().out)
    names = ['gantt_data.csv', 'flame_data.csv', 'durations_data.csv', 'speedup_data.csv',
             'region_statistics.json']
    assert sorted(paths) == sorted(str(out / n) for n in names)
    assert sorted(os.listdir(out)) == sorted(names)
    header, rows = read_csv(out / 'speedup_data.csv')
    assert header == ['region', 'total_cores', 'speedup']
    assert [r[1] for r in rows if r[0] == 'step'] == ['2', '4', '8']
    stats = json.loads((out / 'region_statistics.json').read_text())
    # The glob's matches sorted, r2 given again: once.
    assert [f['label'] for f in stats['files']] == ['r2', 'r4', 'r4b']
    assert r4b


def test_categorical_x_field(runs, tmp_path):
    out = tmp_path / 'o'
    a = write_schema1(tmp_path / 'a.h5', session(2), dict(meta(2), compiler='gcc'))
    b = write_schema1(tmp_path / 'b.h5', session(2, slow=0.5), dict(meta(2), compiler='clang'))
    run([a, b, '-o', out, '--export-data', '--skip-plot-images', '--x-field', 'compiler'])
    header, rows = read_csv(out / 'speedup_data.csv')
    assert header == ['region', 'compiler', 'speedup']
    step = [r for r in rows if r[0] == 'step']
    assert [r[1] for r in step] == ['gcc', 'clang'] and close(step[0][2], 1.0)
    da, db = h5_regions(a), h5_regions(b)
    assert close(step[1][2], pooled_ns(da, 'step').mean() / pooled_ns(db, 'step').mean())
    assert exit_code([a, b, '-o', out, '--x-field', 'nope']) == 1


# --- errors and odd uses -------------------------------------------------------

def test_option_errors_exit_2(runs, tmp_path, capsys):
    out = tmp_path / 'o'
    assert exit_code([runs['r4'], '--export-data']) == 2
    assert '-o' in capsys.readouterr().err
    assert exit_code([runs['r4'], '-o', out, '--skip-plot-images']) == 2
    assert exit_code([runs['r4'], '-o', out, '-r', 'x']) == 2
    assert exit_code([runs['r4'], '-o', out, '-m', 'median']) == 2
    assert exit_code([str(tmp_path / 'none*.h5')]) == 2
    assert exit_code([]) == 2
    assert not out.exists()


def test_errors_in_the_data_exit_1(runs, tmp_path, capsys):
    out = tmp_path / 'o'
    assert exit_code([runs['r4'], '-o', out, '-r', '7']) == 1
    assert 'Invalid ranks requested: [7]' in capsys.readouterr().err
    assert exit_code([runs['r4'], '-o', out, '-i', 'nothing']) == 1
    assert 'No regions matched' in capsys.readouterr().err


def test_without_output_nothing_is_written(runs, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    assert run([runs['r4'], runs['r2']]) is None
    assert sorted(os.listdir(tmp_path)) == before
    assert 'Outputs saved to:' not in capsys.readouterr().out


def test_plotly_backend_without_plotly(runs, tmp_path, capsys):
    try:
        import plotly  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip('plotly is installed')
    assert exit_code([runs['r4'], '-o', tmp_path / 'o', '--backend', 'plotly']) == 1
    assert 'plotly' in capsys.readouterr().err


def test_session_with_a_slash_name_from_profile_manager(tmp_path, capsys):
    from scope_profiler import ProfileManager

    path = str(tmp_path / 'pm.h5')
    ProfileManager.setup(file_path=path, verbose=False)
    try:
        for _ in range(2):
            with ProfileManager.profile_region('io/write'):
                pass
        ProfileManager.finalize(verbose=False)
    finally:
        ProfileManager.setup(verbose=False, flush_to_disk=False)
    out = tmp_path / 'o'
    run([path, '-o', out, '--export-data', '--skip-plot-images', '-m', 'avg'])
    stats = json.loads((out / 'region_statistics.json').read_text())
    assert stats['common_regions'] == ['io/write']
    assert stats['files'][0]['region_statistics']['io/write']['count'] == 2
    assert sorted(os.listdir(out)) == ['durations_data.csv', 'flame_data.csv',
                                       'gantt_data.csv', 'region_statistics.json']


def test_show_with_output_saves_without_listing(runs, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv('MPLBACKEND', 'Agg')     # plt.show() returns at once
    out = tmp_path / 'o'
    run([runs['r4'], '-o', out, '--show', '-m', 'total'])
    assert 'Outputs saved to:' not in capsys.readouterr().out
    assert sorted(os.listdir(out)) == ['durations_plot.png', 'flame_plot.png', 'gantt_plot.png',
                                       'region_statistics.json']
