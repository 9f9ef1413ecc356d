# The scope-profiler command, run as a user runs it. Every number it prints
# or writes is checked against h5py + numpy over the same arrays.

import csv
import decimal
import io
import json
import os
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

h5py = pytest.importorskip("h5py")
np = pytest.importorskip("numpy")

COMMANDS = ["summary", "diff", "export", "info", "merge", "recover", "imbalance", "scaling"]


# --------------------------------------------------------------------------
# Helpers


class Cli:
    def __init__(self, path):
        self.path = path

    def __call__(self, *args, check=None, cwd=None):
        proc = subprocess.run([self.path, *map(str, args)], capture_output=True,
                              text=True, cwd=cwd, timeout=120)
        if check is not None:
            assert proc.returncode == check, (proc.returncode, proc.stdout, proc.stderr)
        return proc


def assert_clean_failure(proc, command=None):
    """Exit status 2 with the reason on stderr, in one line."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    prefix = "scope-profiler %s: " % command if command else "scope-profiler"
    assert lines[0].startswith(prefix), lines[0]
    assert "CRITICAL" not in proc.stderr and "WARNING" not in proc.stderr


def name_of(key, group):
    name = group.attrs.get("name", key)
    return name.decode() if isinstance(name, bytes) else name


def read_schema1(path):
    """{(rank, thread, region): (starts, ends)} of a schema-1 file (ours or
    h5py-made); thread -1 when the file has no thread ids."""
    out = {}
    with h5py.File(path, "r") as f:
        for rank_key in f:
            if not rank_key.startswith("rank"):
                continue
            rank = int(rank_key[4:])
            for key, group in f[rank_key]["regions"].items():
                name = name_of(key, group)
                starts = group["start_times"][()]
                ends = group["end_times"][()]
                threads = group["thread_ids"][()] if "thread_ids" in group else np.full(len(starts), -1)
                for t in np.unique(threads):
                    sel = threads == t
                    prev = out.get((rank, int(t), name))
                    s, e = starts[sel], ends[sel]
                    if prev is not None:
                        s = np.concatenate([prev[0], s])
                        e = np.concatenate([prev[1], e])
                    out[(rank, int(t), name)] = (s, e)
    return out


def thread_names(path):
    """{(rank, thread): name} from the thread tables of our files."""
    names = {}
    with h5py.File(path, "r") as f:
        for rank_key in f:
            if rank_key.startswith("rank") and "threads" in f[rank_key]:
                t = f[rank_key]["threads"]
                for index, name in zip(t["index"][()], t["name"][()]):
                    names[(int(rank_key[4:]), int(index))] = name.decode() if isinstance(name, bytes) else name
    return names


def durations_by_region(series, ranks=None):
    out = {}
    for (rank, _thread, name), (s, e) in series.items():
        if ranks is not None and rank not in ranks:
            continue
        out.setdefault(name, []).append(e - s)
    return {k: np.concatenate(v) for k, v in out.items()}


def self_times(series):
    """Self time per region: each interval's duration minus that of the
    intervals directly nested in it, lane by lane."""
    lanes = {}
    for (rank, thread, name), (s, e) in series.items():
        lanes.setdefault((rank, thread), []).extend(zip(s.tolist(), e.tolist(), [name] * len(s)))
    result = Counter()
    for ivs in lanes.values():
        ivs.sort(key=lambda iv: (iv[0], -iv[1]))
        stack = []
        for start, end, name in ivs:
            while stack and stack[-1][1] <= start:
                stack.pop()
            result[name] += end - start
            if stack:
                result[stack[-1][2]] -= end - start
            stack.append((start, end, name))
    return result


def parse_table(text):
    """The rows of a table printed by the tool: {region: [cells]}; cells are
    separated by two or more spaces."""
    import re

    lines = [l for l in text.splitlines() if l.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    rows = {}
    for line in lines[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        rows[cells[0]] = cells
    return header, rows


def write_schema1(path, ranks, threads=None, metadata=None):
    """A Python-package schema-1 file: ranks = {rank: {region: [(start, end)]}}."""
    with h5py.File(path, "w") as f:
        md = f.create_group("metadata")
        for k, v in (metadata or {"hostname": "test"}).items():
            md.attrs[k] = v
        for rank, regions in ranks.items():
            g = f.create_group("rank%d/regions" % rank)
            for name, ivs in regions.items():
                r = g.create_group(name)
                r["start_times"] = np.array([iv[0] for iv in ivs], dtype=np.int64)
                r["end_times"] = np.array([iv[1] for iv in ivs], dtype=np.int64)


# --------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="session")
def cli(cli_path):
    return Cli(cli_path)


@pytest.fixture(scope="session")
def data(tmp_path_factory, simulation_path, fixtures_script):
    d = tmp_path_factory.mktemp("sessions")
    env = dict(os.environ, SCOPE_PROFILER_MPI="0")
    for name, steps in [("sim_a.h5", 300), ("sim_b.h5", 600)]:
        subprocess.run([simulation_path, str(d / name), str(steps)], check=True,
                       capture_output=True, cwd=d, env=env, timeout=120)
    subprocess.run([sys.executable, fixtures_script, str(d / "fixtures")], check=True,
                   capture_output=True, timeout=300)
    return d


@pytest.fixture(scope="session")
def sim(data):
    return data / "sim_a.h5"


@pytest.fixture(scope="session")
def sim_series(sim):
    return read_schema1(sim)


# --------------------------------------------------------------------------
# Usage


def test_help_for_every_command(cli):
    top = cli("--help", check=0)
    for command in COMMANDS:
        assert command in top.stdout
        proc = cli(command, "--help", check=0)
        assert "scope-profiler %s" % command in proc.stdout
        assert proc.stderr == ""


def test_usage_errors_exit_2_with_one_line(cli, sim, tmp_path):
    assert_clean_failure(cli())
    assert_clean_failure(cli("frobnicate"))
    assert_clean_failure(cli("summary", "--no-such-option", sim), "summary")
    assert_clean_failure(cli("summary"), "summary")
    assert_clean_failure(cli("summary", "--sort", "colour", sim), "summary")
    assert_clean_failure(cli("summary", "--ranks", "0-x", sim), "summary")
    assert_clean_failure(cli("summary", "--ranks", "3-1", sim), "summary")
    assert_clean_failure(cli("summary", "--columns", "calls,nope", sim), "summary")
    assert_clean_failure(cli("diff", sim), "diff")
    assert_clean_failure(cli("diff", "--threshold", "-5", sim, sim), "diff")
    assert_clean_failure(cli("diff", "--metric", "median", sim, sim), "diff")
    assert_clean_failure(cli("export", sim, "-o", tmp_path / "x"), "export")
    assert_clean_failure(cli("export", "--format", "pdf", sim, "-o", tmp_path / "x"), "export")
    assert_clean_failure(cli("export", "--format", "csv", sim), "export")
    assert_clean_failure(cli("info"), "info")
    assert_clean_failure(cli("merge", sim), "merge")
    assert_clean_failure(cli("recover", sim), "recover")
    assert not (tmp_path / "x").exists()


GARBAGE = ["not-hdf5.h5", "truncated.h5", "empty-file.h5", "absurd-size.h5", "huge-offset.h5",
           "mismatched.h5", "negative-duration.h5", "bad-schema.h5", "dtype.h5", "missing-index.h5"]


@pytest.mark.parametrize("name", GARBAGE)
def test_garbage_inputs_exit_2_with_one_line(cli, data, sim, tmp_path, name):
    bad = data / "fixtures" / name
    assert bad.exists()
    out = tmp_path / "out"
    assert_clean_failure(cli("summary", bad), "summary")
    assert_clean_failure(cli("summary", sim, bad), "summary")
    assert_clean_failure(cli("info", bad), "info")
    assert_clean_failure(cli("diff", sim, bad, "--threshold", "5"), "diff")
    assert_clean_failure(cli("export", "--format", "chrome", bad, "-o", out), "export")
    assert_clean_failure(cli("merge", sim, bad, "-o", out), "merge")
    assert not out.exists()


def test_missing_and_odd_paths(cli, tmp_path):
    assert_clean_failure(cli("info", tmp_path / "nope.h5"), "info")
    assert_clean_failure(cli("info", tmp_path), "info")
    random_bytes = tmp_path / "random.h5"
    random_bytes.write_bytes(os.urandom(4096))
    assert_clean_failure(cli("summary", random_bytes), "summary")
    assert_clean_failure(cli("recover", random_bytes, "-o", tmp_path / "r.h5"), "recover")
    assert not (tmp_path / "r.h5").exists()


def test_quiet_when_stderr_is_not_a_terminal(cli, sim, tmp_path):
    for args in (["summary", sim], ["info", sim],
                 ["export", "--format", "chrome", sim, "-o", tmp_path / "t.json"]):
        assert cli(*args, check=0).stderr == ""


# --------------------------------------------------------------------------
# info and summary


def test_info(cli, sim, sim_series):
    out = cli("info", sim, check=0).stdout
    n = sum(len(s) for s, _ in sim_series.values())
    threads = {(r, t) for (r, t, _) in sim_series}
    assert "Schema:     1" in out
    assert "Ranks:      1" in out
    assert "Intervals:  %d" % n in out
    assert "Threads:    %d" % len(threads) in out
    assert "Overlaps:   0" in out
    assert "scope_profiler_version = " in out
    for (rank, thread), name in thread_names(sim).items():
        assert "thread %d “%s”" % (thread, name) in out


def test_summary_matches_numpy(cli, sim, sim_series):
    header, rows = parse_table(cli("summary", "--ns", sim, check=0).stdout)
    assert header == ["region", "calls", "total", "self", "mean", "min", "max", "std", "p90", "%"]
    durations = durations_by_region(sim_series)
    selfs = self_times(sim_series)
    assert set(rows) == set(durations)
    for name, d in durations.items():
        cells = rows[name]
        assert int(cells[1]) == len(d)
        assert int(cells[2]) == d.sum()
        assert int(cells[3]) == selfs[name]
        assert float(cells[4]) == pytest.approx(d.mean(), rel=1e-9, abs=1e-3)
        assert int(cells[5]) == d.min()
        assert int(cells[6]) == d.max()
        assert float(cells[7]) == pytest.approx(d.std(), rel=1e-9, abs=1e-3)
        assert float(cells[8]) == pytest.approx(np.percentile(d, 90), rel=1e-9, abs=1e-3)
    # Sorted by total time, largest first.
    totals = [int(rows[name][2]) for name in rows]
    assert totals == sorted(totals, reverse=True)


def test_summary_human_units(cli, sim):
    out = cli("summary", sim, check=0).stdout
    assert any(unit in out for unit in (" µs", " ms", " ns"))


def test_summary_sort_limit_and_patterns(cli, sim, sim_series):
    durations = durations_by_region(sim_series)

    _, rows = parse_table(cli("summary", "--ns", "--sort", "calls", sim, check=0).stdout)
    calls = [int(c[1]) for c in rows.values()]
    assert calls == sorted(calls, reverse=True)

    _, rows = parse_table(cli("summary", "--ns", "--sort", "name", sim, check=0).stdout)
    assert list(rows) == sorted(durations)
    _, rows = parse_table(cli("summary", "--ns", "--sort", "name", "-r", sim, check=0).stdout)
    assert list(rows) == sorted(durations, reverse=True)

    _, rows = parse_table(cli("summary", "--ns", "-n", "2", sim, check=0).stdout)
    assert len(rows) == 2

    _, rows = parse_table(cli("summary", "--ns", "-i", "*_*", sim, check=0).stdout)
    assert set(rows) == {n for n in durations if "_" in n}
    _, rows = parse_table(cli("summary", "--ns", "-i", "*_*", "-e", "time*", sim, check=0).stdout)
    assert set(rows) == {n for n in durations if "_" in n and not n.startswith("time")}
    _, rows = parse_table(cli("summary", "--ns", "-i", "main", "-i", "checkpoint", sim, check=0).stdout)
    assert set(rows) == {"main", "checkpoint"}


@pytest.fixture(scope="session")
def ranked(tmp_path_factory):
    """Four ranks with known intervals, one region per rank plus a shared one."""
    d = tmp_path_factory.mktemp("ranked")
    rng = np.random.default_rng(5)
    ranks = {}
    for rank in range(4):
        starts = np.cumsum(rng.integers(100, 1000, size=50)) + rank * 1_000_000
        ivs = [(int(s), int(s + rng.integers(1, 90))) for s in starts]
        ranks[rank] = {"shared": ivs, "only%d" % rank: [(ivs[0][0] + 1, ivs[0][0] + 5)]}
    path = d / "ranked.h5"
    write_schema1(path, ranks)
    return path


def test_summary_ranks_filter(cli, ranked):
    series = read_schema1(ranked)
    for spec, keep in [("0-2", {0, 1, 2}), ("3", {3}), ("0,2-3", {0, 2, 3}), ("1, 3", {1, 3})]:
        _, rows = parse_table(cli("summary", "--ns", "--ranks", spec, ranked, check=0).stdout)
        durations = durations_by_region(series, keep)
        assert set(rows) == set(durations)
        for name, d in durations.items():
            assert int(rows[name][1]) == len(d)
            assert int(rows[name][2]) == d.sum()


def test_summary_side_by_side(cli, data, sim):
    b = data / "sim_b.h5"
    out = cli("summary", "--ns", sim, b, check=0).stdout
    assert "[1] %s" % sim in out and "[2] %s" % b in out
    table = out.split("\n\n", 1)[1]
    header, rows = parse_table(table)
    assert header == ["region", "calls[1]", "total[1]", "mean[1]", "%[1]",
                      "calls[2]", "total[2]", "mean[2]", "%[2]"]
    da = durations_by_region(read_schema1(sim))
    db = durations_by_region(read_schema1(b))
    for name in da:
        assert int(rows[name][1]) == len(da[name])
        assert int(rows[name][5]) == len(db[name])
        assert int(rows[name][6]) == db[name].sum()

    header, rows = parse_table(cli("summary", "--ns", "-c", "calls,p90", sim, b, check=0).stdout.split("\n\n", 1)[1])
    assert header == ["region", "calls[1]", "p90[1]", "calls[2]", "p90[2]"]


# --------------------------------------------------------------------------
# export


def events_from_series(series):
    return Counter((rank, thread, name, int(s), int(e - s))
                   for (rank, thread, name), (ss, ee) in series.items()
                   for s, e in zip(ss, ee))


def test_export_chrome(cli, sim, sim_series, tmp_path):
    out = tmp_path / "trace.json"
    cli("export", "--format", "chrome", sim, "-o", out, check=0)
    # Decimals as written: ts/dur must be the ns divided by 1000 exactly.
    doc = json.loads(out.read_text(), parse_float=decimal.Decimal)
    assert doc["displayTimeUnit"] == "ns"
    events = doc["traceEvents"]

    complete = [e for e in events if e["ph"] == "X"]
    got = Counter()
    for e in complete:
        ts = e["ts"] * 1000
        dur = e["dur"] * 1000
        assert ts == int(ts) and dur == int(dur)
        assert len(str(e["ts"]).split(".")[1]) == 3
        got[(e["pid"], e["tid"], e["name"], int(ts), int(dur))] += 1
    assert got == events_from_series(sim_series)

    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    for key, name in thread_names(sim).items():
        assert names[key] == name
    processes = {e["pid"]: e["args"]["name"] for e in events
                 if e["ph"] == "M" and e["name"] == "process_name"}
    assert processes == {0: "rank 0"}
    assert doc["otherData"]["scope_profiler_version"]

    # Nesting order: within a thread, each event starts no earlier than the
    # one before it.
    by_lane = {}
    for e in complete:
        by_lane.setdefault((e["pid"], e["tid"]), []).append(e["ts"])
    for ts in by_lane.values():
        assert ts == sorted(ts)


def test_export_chrome_escapes_names(cli, data, tmp_path):
    native = data / "fixtures" / "native-schema1.h5"
    out = tmp_path / "native.json"
    cli("export", "--format", "chrome", native, "-o", out, check=0)
    doc = json.loads(out.read_text())
    names = {e["name"] for e in doc["traceEvents"] if e["ph"] == "X"}
    assert {"a/b", "100%", ".", "plain", "ünïcode ✓", "%2F"} <= names


def test_export_csv_matches_file(cli, sim, sim_series, tmp_path):
    out = tmp_path / "intervals.csv"
    cli("export", "--format", "csv", sim, "-o", out, check=0)
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["rank", "thread", "region", "depth", "start_ns", "end_ns", "duration_ns"]
    got = Counter()
    depth = {}
    for rank, thread, region, d, s, e, dur in rows[1:]:
        assert int(e) - int(s) == int(dur)
        got[(int(rank), int(thread), region, int(s), int(dur))] += 1
        depth.setdefault(region, set()).add(int(d))
    assert got == events_from_series(sim_series)
    assert depth["main"] == {0}
    assert depth["time_step"] == {1}
    assert depth["compute_rhs"] == {2}


def test_export_csv_quotes_names(cli, data, tmp_path):
    path = tmp_path / "names.h5"
    weird = ['comma,name', 'quote"name', 'line\nbreak', 'plain']
    write_schema1(path, {0: {n.replace("\n", "_nl_"): [(10, 20)] for n in weird}})
    # Give the regions their exact names the way our writer does.
    with h5py.File(path, "a") as f:
        for n in weird:
            f["rank0/regions"][n.replace("\n", "_nl_")].attrs["name"] = n
    out = tmp_path / "names.csv"
    cli("export", "--format", "csv", path, "-o", out, check=0)
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    assert sorted(r[2] for r in rows[1:]) == sorted(weird)
    text = out.read_text()
    assert '"comma,name"' in text and '"quote""name"' in text


def test_export_statistics_match_numpy(cli, sim, sim_series, tmp_path):
    durations = durations_by_region(sim_series)
    selfs = self_times(sim_series)

    out = tmp_path / "stats.csv"
    cli("export", "--format", "csv-stats", sim, "-o", out, check=0)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["region"] for r in rows} == set(durations)
    for r in rows:
        d = durations[r["region"]]
        assert int(r["count"]) == len(d)
        assert int(r["total_ns"]) == d.sum()
        assert int(r["self_ns"]) == selfs[r["region"]]
        assert int(r["min_ns"]) == d.min()
        assert int(r["max_ns"]) == d.max()
        assert float(r["mean_ns"]) == pytest.approx(d.mean(), rel=1e-12)
        assert float(r["std_ns"]) == pytest.approx(d.std(), rel=1e-9, abs=1e-9)
        assert float(r["median_ns"]) == pytest.approx(np.median(d), rel=1e-12)
        assert float(r["p90_ns"]) == pytest.approx(np.percentile(d, 90), rel=1e-12)
        assert float(r["p99_ns"]) == pytest.approx(np.percentile(d, 99), rel=1e-12)

    out = tmp_path / "stats.json"
    cli("export", "--format", "json", sim, "-o", out, check=0)
    doc = json.loads(out.read_text())
    assert doc["ranks"] == [0]
    assert doc["schema"] == 1
    for region in doc["regions"]:
        d = durations[region["name"]]
        s = region["statistics"]
        assert s["count"] == len(d) and s["total_ns"] == d.sum()
        assert s["p99_ns"] == pytest.approx(np.percentile(d, 99), rel=1e-12)
        assert region["ranks"]["0"] == s


def test_export_per_rank_statistics(cli, ranked, tmp_path):
    out = tmp_path / "ranked.json"
    cli("export", "--format", "json", ranked, "-o", out, check=0)
    doc = json.loads(out.read_text())
    series = read_schema1(ranked)
    shared = next(r for r in doc["regions"] if r["name"] == "shared")
    assert sorted(shared["ranks"]) == ["0", "1", "2", "3"]
    for rank in range(4):
        d = durations_by_region(series, {rank})["shared"]
        assert shared["ranks"][str(rank)]["total_ns"] == d.sum()
        assert shared["ranks"][str(rank)]["mean_ns"] == pytest.approx(d.mean(), rel=1e-12)


def test_export_filters_and_stdout(cli, ranked, tmp_path):
    out = tmp_path / "r.csv"
    cli("export", "--format", "csv", "--ranks", "1-2", "-e", "only*", ranked, "-o", out, check=0)
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["rank"] for r in rows} == {"1", "2"}
    assert {r["region"] for r in rows} == {"shared"}

    proc = cli("export", "--format", "csv", "--ranks", "1-2", "-e", "only*", ranked, "-o", "-", check=0)
    assert proc.stdout == out.read_text()


def test_export_replaces_output_only_when_complete(cli, sim, data, tmp_path):
    out = tmp_path / "keep.json"
    out.write_text("old")
    assert_clean_failure(cli("export", "--format", "chrome", data / "fixtures" / "truncated.h5", "-o", out), "export")
    assert out.read_text() == "old"
    assert_clean_failure(cli("export", "--format", "chrome", sim, "-o", tmp_path / "no" / "dir.json"), "export")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]


def test_export_syscap(cli, sim, sim_series, tmp_path):
    out = tmp_path / "session.syscap"
    proc = cli("export", "--format", "syscap", sim, "-o", out)
    if proc.returncode == 2 and "Sysprof" in proc.stderr:
        assert_clean_failure(proc, "export")
        pytest.skip("built without Sysprof support")
    assert proc.returncode == 0, proc.stderr
    header = out.read_bytes()[:4]
    # SysprofCaptureFileHeader.magic, little endian
    assert int.from_bytes(header, "little") == 0xFDCA975E
    # The marks themselves are read back with libsysprof-capture in
    # tests/test-export.c.
    n = sum(len(starts) for starts, _ in sim_series.values())
    assert out.stat().st_size > n * 64


# --------------------------------------------------------------------------
# diff


@pytest.fixture(scope="session")
def diff_pair(tmp_path_factory):
    d = tmp_path_factory.mktemp("diff")
    a, b = d / "a.h5", d / "b.h5"
    write_schema1(a, {0: {"steady": [(0, 100), (200, 300)],
                          "slower": [(0, 100), (200, 300)],
                          "busier": [(0, 100)],
                          "gone": [(0, 10)]}})
    write_schema1(b, {0: {"steady": [(0, 100), (200, 300)],
                          "slower": [(0, 150), (200, 350)],           # mean +50%
                          "busier": [(0, 100), (200, 300), (400, 500)],  # total +200%
                          "new": [(0, 10)]}})
    return a, b


def test_diff_flags_regressions(cli, diff_pair):
    a, b = diff_pair
    proc = cli("diff", "--ns", "--threshold", "10", a, b, check=1)
    header, rows = parse_table(proc.stdout.split("\n\n")[0])
    assert header == ["region", "calls A", "calls B", "Δcalls", "total A", "total B", "Δtotal",
                      "mean A", "mean B", "Δmean", "status"]
    assert rows["slower"][-1] == "REGRESSION"
    assert rows["slower"][9] == "+50.0%"
    assert rows["slower"][4:6] == ["200", "300"]
    assert rows["busier"][1:4] == ["1", "3", "+2"]
    assert rows["busier"][6] == "+200.0%"
    assert rows["busier"][-1] != "REGRESSION"     # the mean did not change
    assert rows["new"][-1] == "new" and rows["gone"][-1] == "gone"
    assert rows["steady"][-1] == "+0.0%"          # no status column text
    assert list(rows)[0] == "slower"              # regressions first
    assert "1 regression" in proc.stdout

    assert cli("diff", "--threshold", "60", a, b, check=0)
    proc = cli("diff", "--threshold", "60", "--metric", "total", "--ns", a, b, check=1)
    _, rows = parse_table(proc.stdout.split("\n\n")[0])
    assert rows["busier"][-1] == "REGRESSION" and rows["slower"][-1] != "REGRESSION"

    # Under --min-time, small regions are not flagged.
    cli("diff", "--threshold", "10", "--min-time", "1000", a, b, check=0)
    # Filtering applies to both sessions.
    cli("diff", "--threshold", "10", "-e", "slower", a, b, check=0)
    # Without a threshold nothing is a regression.
    cli("diff", a, b, check=0)
    cli("diff", "--threshold", "0", a, a, check=0)
    # B to A only shrinks: nothing grew.
    cli("diff", "--threshold", "0", b, a, check=0)
    cli("diff", "--threshold", "0", a, b, check=1)


def test_diff_sessions(cli, sim, data):
    proc = cli("diff", "--sort", "name", sim, data / "sim_b.h5", check=0)
    _, rows = parse_table(proc.stdout)
    assert list(rows) == sorted(rows)
    assert rows["time_step"][1:4] == ["300", "600", "+300"]


# --------------------------------------------------------------------------
# merge


def test_merge_per_rank_files(cli, tmp_path):
    rng = np.random.default_rng(7)
    parts = []
    expected = {}
    for rank in range(3):
        starts = np.sort(rng.integers(0, 10**9, size=20))
        ivs = [(int(s), int(s) + int(rng.integers(1, 1000))) for s in starts]
        path = tmp_path / ("part%d.h5" % rank)
        write_schema1(path, {rank: {"work": ivs, "rank%d only" % rank: ivs[:3]}},
                      metadata={"hostname": "node%d" % rank, "mpi_size": 3})
        parts.append(path)
        expected[rank] = ivs

    out = tmp_path / "merged.h5"
    cli("merge", *parts, "-o", out, check=0)
    with h5py.File(out, "r") as f:
        assert sorted(k for k in f if k.startswith("rank")) == ["rank0", "rank1", "rank2"]
        assert f["metadata"].attrs["hostname"] in ("node0", b"node0")
        assert f["metadata"].attrs["mpi_size"] == 3
        merged_from = f["metadata"].attrs["merged_from"]
        merged_from = merged_from.decode() if isinstance(merged_from, bytes) else merged_from
        assert merged_from.split("\n") == [str(p) for p in parts]
    series = read_schema1(out)
    for rank, ivs in expected.items():
        s, e = series[(rank, -1, "work")]
        assert sorted(zip(s.tolist(), e.tolist())) == sorted(ivs)
        assert len(series[(rank, -1, "rank%d only" % rank)][0]) == 3

    # The merged file reads back like the parts.
    _, rows = parse_table(cli("summary", "--ns", "--ranks", "1", out, check=0).stdout)
    _, part_rows = parse_table(cli("summary", "--ns", parts[1], check=0).stdout)
    assert {k: v[1:3] for k, v in rows.items()} == {k: v[1:3] for k, v in part_rows.items()}


def test_merge_rank_collision_and_renumber(cli, data, sim, tmp_path):
    b = data / "sim_b.h5"
    out = tmp_path / "m.h5"
    proc = cli("merge", sim, b, "-o", out)
    assert_clean_failure(proc, "merge")
    assert "--renumber" in proc.stderr
    assert not out.exists()

    cli("merge", "--renumber", sim, b, "-o", out, check=0)
    merged = read_schema1(out)
    a_series = read_schema1(sim)
    b_series = read_schema1(b)
    for (rank, thread, name), (s, e) in a_series.items():
        ms, me = merged[(0, thread, name)]
        assert sorted(ms.tolist()) == sorted(s.tolist())
    for (rank, thread, name), (s, e) in b_series.items():
        ms, me = merged[(1, thread, name)]
        assert sorted(me.tolist()) == sorted(e.tolist())
    names = thread_names(out)
    assert names[(0, 0)] == thread_names(sim)[(0, 0)]
    assert names[(1, 1)] == thread_names(b)[(0, 1)]


def test_merge_python_schemas(cli, data, tmp_path):
    fx = data / "fixtures"
    inputs = [fx / "python-schema1.h5", fx / "python-schema2.h5", fx / "python-schema3.h5"]
    out = tmp_path / "all.h5"
    cli("merge", "--renumber", *inputs, "-o", out, check=0)

    # Each input's ranks, in order, become consecutive ranks of the output;
    # counts and totals per region stay what they were.
    next_rank = 0
    for path in inputs:
        info = cli("info", path, check=0).stdout
        n_ranks = int(info.split("Ranks:")[1].split()[0])
        spec = "%d-%d" % (next_rank, next_rank + n_ranks - 1)
        _, merged_rows = parse_table(cli("summary", "--ns", "--ranks", spec, out, check=0).stdout)
        _, rows = parse_table(cli("summary", "--ns", path, check=0).stdout)
        assert {k: v[1:3] for k, v in merged_rows.items()} == {k: v[1:3] for k, v in rows.items()}
        next_rank += n_ranks

    with h5py.File(out, "r") as f:
        assert sorted(k for k in f if k.startswith("rank")) == ["rank%d" % i for i in range(next_rank)]


# --------------------------------------------------------------------------
# recover

CRASH = textwrap.dedent("""
    import os, sys
    import gi
    gi.require_version("ScopeProfiler", "1.0")
    from gi.repository import ScopeProfiler

    config = ScopeProfiler.Config.new()
    config.set_file_path(sys.argv[1])
    config.set_buffer_limit(64)
    manager = ScopeProfiler.ProfileManager.new()
    manager.setup(config)
    region = manager.profile_region("work/item")
    for _ in range(1000):
        region.enter()
        region.exit()
    print(manager.get_spill_path(), flush=True)
    os._exit(0)
""")


def test_recover(cli, tmp_path):
    pytest.importorskip("gi")
    proc = subprocess.run([sys.executable, "-c", CRASH, str(tmp_path / "crash.h5")],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, SCOPE_PROFILER_MPI="0"))
    if proc.returncode != 0 and "ScopeProfiler" in proc.stderr:
        pytest.skip("the ScopeProfiler typelib is not available: " + proc.stderr.splitlines()[-1])
    assert proc.returncode == 0, proc.stderr
    spill = proc.stdout.strip()
    assert os.path.isfile(spill)
    assert not (tmp_path / "crash.h5").exists()

    out = tmp_path / "recovered.h5"
    cli("recover", spill, "-o", out, check=0)
    series = read_schema1(out)
    (key,) = [k for k in series if k[2] == "work/item"]
    n = len(series[key][0])
    assert 0 < n <= 1000 and n % 64 == 0
    _, rows = parse_table(cli("summary", "--ns", out, check=0).stdout)
    assert int(rows["work/item"][1]) == n


# --------------------------------------------------------------------------
# progress


def test_progress_bar_on_a_terminal(cli, tmp_path):
    """On a terminal, a long read draws a bar on stderr and wipes it at the
    end; the output itself is unchanged."""
    import pty

    n = 3_000_000
    path = tmp_path / "long.h5"
    starts = np.arange(n, dtype=np.int64) * 100
    with h5py.File(path, "w") as f:
        f.create_group("metadata")
        g = f.create_group("rank0/regions/tick")
        g["start_times"] = starts
        g["end_times"] = starts + 50

    master, slave = pty.openpty()
    proc = subprocess.Popen([cli.path, "summary", "--ns", str(path)],
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:       # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    stdout, _ = proc.communicate(timeout=120)
    os.close(master)

    assert proc.returncode == 0
    text = b"".join(chunks).decode()
    assert "\rReading long.h5 [" in text and "%" in text
    assert text.endswith("\r\x1b[K")
    _, rows = parse_table(stdout.decode())
    assert rows["tick"][1:3] == [str(n), str(50 * n)]


# --------------------------------------------------------------------------
# Ranks: load imbalance and scaling


def write_ranked_run(path, per_rank_durations, mpi_size=None):
    """A Python-package-style schema-1 file: region "solve" on each rank
    with the given call durations (ns)."""
    with h5py.File(path, "w") as f:
        meta = f.create_group("metadata")
        meta.attrs["mpi_size"] = np.int64(mpi_size or len(per_rank_durations))
        for rank, durations in enumerate(per_rank_durations):
            g = f.create_group(f"rank{rank}/regions/solve")
            starts = np.cumsum([1000] + [d + 10 for d in durations[:-1]]).astype(np.int64)
            g["start_times"] = starts
            g["end_times"] = starts + np.asarray(durations, dtype=np.int64)


def test_imbalance(cli, tmp_path):
    path = tmp_path / "imbalanced.h5"
    write_ranked_run(path, [[10, 10], [20, 20], [30, 30], [40, 40]])
    out = cli("imbalance", "--ns", path).stdout.splitlines()
    assert out[0].split() == ["Region", "Ranks", "Min", "Mean", "Max", "Max/mean", "Slowest"]
    row = out[1].split()
    # Per-rank totals 20, 40, 60, 80: max/mean = 80/50.
    assert row[:6] == ["solve", "4", "20", "50", "80", "1.60"]
    assert " ".join(row[6:]) == "rank 3"
    assert_clean_failure(cli("imbalance"), "imbalance")
    assert_clean_failure(cli("imbalance", path, path), "imbalance")


def test_scaling(cli, tmp_path):
    runs = {
        "one.h5": [[100]],
        "two.h5": [[50], [60]],
        "four.h5": [[25], [25], [25], [30]],
    }
    for name, durations in runs.items():
        write_ranked_run(tmp_path / name, durations)
    # Given out of order: the report orders runs by rank count.
    out = cli("scaling", "--ns", tmp_path / "four.h5", tmp_path / "one.h5", tmp_path / "two.h5").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["Region", "1", "ranks", "2", "ranks", "4", "ranks"]
    assert lines[1].split() == ["ideal", "speedup", "1.00x", "2.00x", "4.00x"]
    # Time on the slowest rank, speedup over one rank, efficiency.
    assert lines[2].split() == ["solve", "100", "60", "1.67x", "83%", "30", "3.33x", "83%"]
    assert_clean_failure(cli("scaling", tmp_path / "one.h5"), "scaling")


# --------------------------------------------------------------------------
# run and pproc: the Python package's commands, run by the same command


PYTHON_COMMANDS = ["run", "pproc"]


def test_python_commands_listed_and_their_help(cli):
    top = cli("--help", check=0)
    for command in PYTHON_COMMANDS:
        assert "  %s " % command in top.stdout
        proc = cli(command, "--help", check=0)
        assert "usage: scope-profiler %s" % command in proc.stdout
        # "help COMMAND" is "COMMAND --help" here too.
        assert cli("help", command, check=0).stdout == proc.stdout
    assert "--buffer-limit" in cli("run", "--help").stdout
    assert "--export-data" in cli("pproc", "--help").stdout


def test_run_dispatch_exit_status_and_session(cli, tmp_path):
    script = tmp_path / "app.py"
    script.write_text(textwrap.dedent("""\
        import sys

        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        fib(8)
        print("ARGS", sys.argv[1:])
        sys.exit(int(sys.argv[1]))
        """))
    proc = cli("run", "-q", "-o", tmp_path / "run.h5", script, "3", "--flag", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "ARGS ['3', '--flag']" in proc.stdout
    with h5py.File(tmp_path / "run.h5", "r") as f:
        names = {name_of(k, g): len(g["start_times"]) for k, g in f["rank0/regions"].items()}
    assert names["__main__.fib"] == 67
    assert names["app.py"] == 1

    assert cli("run", "-q", script, "0", cwd=tmp_path).returncode == 0

    # The Python package's own errors and statuses, unchanged.
    missing = cli("run", tmp_path / "missing.py", cwd=tmp_path)
    assert missing.returncode == 1
    assert "scope-profiler run: can't open file" in missing.stderr
    assert cli("run", cwd=tmp_path).returncode == 2
    assert cli("pproc", cwd=tmp_path).returncode == 2


def test_pproc_dispatch(cli, sim, tmp_path):
    out = tmp_path / "out"
    proc = cli("pproc", sim, "-o", out, "--skip-plot-images", "--export-data", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    stats = json.loads((out / "region_statistics.json").read_text())
    assert stats["files"][0]["file_path"] == os.path.abspath(sim)


def test_run_uses_python_set_by_environment(cli, tmp_path):
    # SCOPE_PROFILER_PYTHON names the interpreter; a missing one is a clean failure.
    proc = subprocess.run([cli.path, "run", "x.py"], capture_output=True, text=True,
                          env={**os.environ, "SCOPE_PROFILER_PYTHON": str(tmp_path / "nopython")},
                          timeout=60)
    assert_clean_failure(proc, "run")
