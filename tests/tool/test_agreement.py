"""One truth for every number: the command line (summary, imbalance, diff),
the JSON export, the Python package and the library through GObject
introspection give the same figures for one session.

The session has 4 ranks x 2 threads and a recursive region; its intervals
are written with exact timestamps by tests/fixtures/write-session.py, and
every expected figure is computed here, independently, with numpy from the
same intervals.
"""

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

WRITER = Path(__file__).resolve().parent.parent / "fixtures" / "write-session.py"
N_RANKS = 4


def calls_of_rank(rank):
    """Rank r runs (4 + r) / 4 times as long as rank 0; "rare" only on 0."""
    k = (4 + rank) * 250  # ns per unit
    calls = [
        (0, "main", 0, 1000),
        # solve recurses three deep on thread 0, twice on thread 1
        (0, "solve", 100, 600), (0, "solve", 150, 400), (0, "solve", 200, 300),
        (0, "work", 700, 900),
        (1, "work", 50, 450),
        (1, "solve", 500, 800), (1, "solve", 550, 650),
    ]
    if rank == 0:
        calls.append((1, "rare", 900, 950))
    return [[rank, thread, name, start * k + rank, end * k + rank] for thread, name, start, end in calls]


ALL_CALLS = [c for rank in range(N_RANKS) for c in calls_of_rank(rank)]
ONE_RANK = [[0, 0, "main", 0, 3_000_000], [0, 0, "work", 0, 1_000_000],
            [0, 0, "solve", 1_000_000, 2_000_000], [0, 0, "solve", 1_200_000, 1_500_000]]


def write(path, calls, metadata=None):
    spec = path.with_suffix(".json")
    spec.write_text(json.dumps({"metadata": metadata or {"mpi_size": 1}, "calls": calls}))
    subprocess.run([sys.executable, str(WRITER), str(path), str(spec)], check=True, timeout=120)
    return path


def expected_figures(calls):
    """Every figure the front-ends show, from the intervals alone."""
    lanes = {}
    for rank, thread, name, start, end in calls:
        lanes.setdefault((rank, thread), []).append((start, end, name))
    ranks = sorted({c[0] for c in calls})
    names = sorted({c[2] for c in calls})

    durations = {n: [] for n in names}
    child_time = {n: 0 for n in names}
    covered = {n: 0 for n in names}
    rank_totals = {n: dict.fromkeys(ranks, 0) for n in names}
    lane_time = 0
    rank_begin, rank_end = {}, {}
    for (rank, _), ivs in lanes.items():
        ivs.sort(key=lambda iv: (iv[0], -iv[1]))
        stack = []
        for start, end, name in ivs:
            durations[name].append(end - start)
            rank_totals[name][rank] += end - start
            while stack and stack[-1][1] <= start:
                stack.pop()
            if stack:
                child_time[stack[-1][2]] += end - start
            stack.append((start, end, name))
        for name in names:
            mine = [(s, e) for s, e, n in ivs if n == name]
            until = None
            for s, e in mine:  # by start
                if until is None or s >= until:
                    covered[name] += e - s
                    until = e
                elif e > until:
                    covered[name] += e - until
                    until = e
        first, last = min(s for s, _, _ in ivs), max(e for _, e, _ in ivs)
        lane_time += last - first
        rank_begin[rank] = min(rank_begin.get(rank, first), first)
        rank_end[rank] = max(rank_end.get(rank, last), last)

    spans = {r: rank_end[r] - rank_begin[r] for r in ranks}
    figures = {"wall_time": max(spans.values()), "lane_time": lane_time, "rank_spans": spans, "regions": {}}
    for name in names:
        d = np.array(durations[name], dtype=np.int64)
        totals = np.array([rank_totals[name][r] for r in ranks], dtype=np.int64)
        figures["regions"][name] = {
            "count": len(d), "total": int(d.sum()), "self": int(d.sum() - child_time[name]),
            "mean": d.mean(), "min": int(d.min()), "max": int(d.max()), "std": d.std(),
            "p90": np.percentile(d, 90), "median": np.percentile(d, 50),
            "covered": covered[name], "share": covered[name] / lane_time,
            "rank_min": int(totals.min()), "rank_mean": totals.mean(), "rank_max": int(totals.max()),
            "ratio": totals.max() / totals.mean(), "slowest": ranks[int(np.argmax(totals))],
        }
    return figures


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    d = tmp_path_factory.mktemp("agreement")
    return write(d / "four.h5", ALL_CALLS, {"mpi_size": N_RANKS})


@pytest.fixture(scope="module")
def one_rank(tmp_path_factory):
    d = tmp_path_factory.mktemp("agreement1")
    return write(d / "one.h5", ONE_RANK)


@pytest.fixture(scope="module")
def expected():
    return expected_figures(ALL_CALLS)


@pytest.fixture(scope="module")
def cli(cli_path):
    def run(*args):
        proc = subprocess.run([cli_path] + [str(a) for a in args], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout
    return run


def table(text):
    lines = [l for l in text.splitlines() if l.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    return header, {cells[0]: dict(zip(header, cells))
                    for cells in (re.split(r"\s{2,}", l.strip()) for l in lines[1:])}


def test_the_session_is_what_the_test_needs(expected):
    # The figures that used to disagree: sums over ranks and threads exceed
    # the wall time, recursion counts nested time twice.
    main, solve = expected["regions"]["main"], expected["regions"]["solve"]
    assert main["total"] > expected["wall_time"]
    assert solve["total"] > solve["covered"]
    assert all(0 < r["share"] <= 1 for r in expected["regions"].values())
    assert expected["regions"]["rare"]["rank_min"] == 0


def test_cli_summary(cli, session, expected):
    header, rows = table(cli("summary", "--ns", session))
    assert header == ["region", "calls", "total", "self", "mean", "min", "max", "std", "p90", "%"]
    assert set(rows) == set(expected["regions"])
    for name, e in expected["regions"].items():
        row = rows[name]
        assert int(row["calls"]) == e["count"]
        assert int(row["total"]) == e["total"]
        assert int(row["self"]) == e["self"]
        assert float(row["mean"]) == pytest.approx(e["mean"], abs=1e-3)
        assert int(row["min"]) == e["min"] and int(row["max"]) == e["max"]
        assert float(row["std"]) == pytest.approx(e["std"], abs=1e-3)
        assert float(row["p90"]) == pytest.approx(e["p90"], abs=1e-3)
        # The share of the session, not total / spans: at most 100.
        assert row["%"] == "%.1f" % (100 * e["share"])


def test_cli_imbalance(cli, session, expected):
    _, rows = table(cli("imbalance", "--ns", session))
    for name, e in expected["regions"].items():
        row = rows[name]
        assert int(row["Ranks"]) == N_RANKS
        assert float(row["Min"]) == pytest.approx(e["rank_min"], abs=1e-3)
        assert float(row["Mean"]) == pytest.approx(e["rank_mean"], abs=1e-3)
        assert float(row["Max"]) == pytest.approx(e["rank_max"], abs=1e-3)
        assert row["Max/mean"] == "%.2f" % e["ratio"]
        assert row["Slowest"] == "rank %d" % e["slowest"]


def test_json_export(cli, session, expected):
    doc = json.loads(cli("export", "-f", "json", "-o", "-", session))
    assert doc["wall_time_ns"] == expected["wall_time"]
    assert doc["lane_time_ns"] == expected["lane_time"]
    regions = {r["name"]: r for r in doc["regions"]}
    for name, e in expected["regions"].items():
        r = regions[name]
        s = r["statistics"]
        assert (s["count"], s["total_ns"], s["self_ns"], s["min_ns"], s["max_ns"]) == \
            (e["count"], e["total"], e["self"], e["min"], e["max"])
        assert s["mean_ns"] == pytest.approx(e["mean"], rel=1e-12)
        assert s["std_ns"] == pytest.approx(e["std"], rel=1e-9)
        assert s["p90_ns"] == pytest.approx(e["p90"], rel=1e-12)
        assert r["covered_ns"] == e["covered"]
        assert r["share"] == pytest.approx(e["share"], rel=1e-12)
        imb = r["imbalance"]
        assert (imb["min_ns"], imb["max_ns"], imb["slowest_rank"]) == (e["rank_min"], e["rank_max"], e["slowest"])
        assert imb["mean_ns"] == pytest.approx(e["rank_mean"], rel=1e-12)
        assert imb["ratio"] == pytest.approx(e["ratio"], rel=1e-12)


def test_python_package(session, expected):
    pytest.importorskip("_scope_profiler_native", reason="the extension module is not built")
    from scope_profiler.h5reader import ProfilingH5Reader

    reader = ProfilingH5Reader(session)
    native = reader._session
    assert native.wall_time() == expected["wall_time"]
    assert native.lane_time() == expected["lane_time"]
    for rank, span in expected["rank_spans"].items():
        assert native.rank_span(rank) == span
    names = native.region_names()
    for name, e in expected["regions"].items():
        index = names.index(name)
        stats = reader._regions[name]._statistics()
        assert stats["count"] == e["count"] and stats["total"] == e["total"]
        assert stats["mean"] == pytest.approx(e["mean"], rel=1e-12)
        assert stats["std"] == pytest.approx(e["std"], rel=1e-9)
        assert native.share(index) == pytest.approx(e["share"], rel=1e-12)
        assert native.covered_time(index) == e["covered"]
        imb = native.imbalance(index)
        assert (imb["min"], imb["max"], imb["slowest_rank"]) == (e["rank_min"], e["rank_max"], e["slowest"])
        assert imb["mean"] == pytest.approx(e["rank_mean"], rel=1e-12)
        assert imb["ratio"] == pytest.approx(e["ratio"], rel=1e-12)
    with pytest.raises(IndexError):
        native.share(len(names))


def test_gobject_introspection(session, expected):
    """The API the viewer uses, through PyGObject."""
    gi = pytest.importorskip("gi")
    try:
        gi.require_version("ScopeProfiler", "1.0")
        from gi.repository import ScopeProfiler
    except (ValueError, ImportError) as e:
        pytest.skip("no ScopeProfiler typelib: %s" % e)

    s = ScopeProfiler.Session.new_from_file(str(session), None)
    a = ScopeProfiler.Analysis.new(s)
    assert a.get_wall_time() == expected["wall_time"]
    for name, e in expected["regions"].items():
        ok, index = s.lookup_region(name)
        assert ok
        assert a.get_region_share(index) == pytest.approx(e["share"], rel=1e-12)
        assert a.get_region_imbalance(index) == pytest.approx(e["ratio"], rel=1e-12)
        assert a.get_region_figure(index, ScopeProfiler.RankFigure.MEAN_TOTAL) == pytest.approx(e["rank_mean"])
        stats = s.get_region_stats(index)
        assert stats.get_p90() == pytest.approx(e["p90"], rel=1e-12)


def test_cli_diff_compares_per_rank(cli, one_rank, session, expected):
    """From 1 rank to 4: sums over ranks grow, per-rank figures and the wall
    time are what is compared."""
    one = expected_figures(ONE_RANK)
    out = cli("diff", "--ns", one_rank, session)
    text, footer = out.split("\n\n", 1)
    header, rows = table(text)
    assert header[4:10] == ["total/rank A", "total/rank B", "Δtotal", "max rank A", "max rank B", "Δmax"]
    for name in ("main", "solve", "work"):
        a, b = one["regions"][name], expected["regions"][name]
        row = rows[name]
        assert float(row["total/rank A"]) == pytest.approx(a["rank_mean"], abs=1e-3)
        assert float(row["total/rank B"]) == pytest.approx(b["rank_mean"], abs=1e-3)
        assert row["Δtotal"] == "%+.1f%%" % (100 * (b["rank_mean"] - a["rank_mean"]) / a["rank_mean"])
        assert row["Δmax"] == "%+.1f%%" % (100 * (b["rank_max"] - a["rank_max"]) / a["rank_max"])
    wall = "Wall time (slowest rank): A %d, B %d (%+.1f%%)" % (
        one["wall_time"], expected["wall_time"],
        100 * (expected["wall_time"] - one["wall_time"]) / one["wall_time"])
    assert wall in footer
    # main got faster per rank and in wall time, though its sum over ranks grew.
    assert expected["regions"]["main"]["total"] > one["regions"]["main"]["total"]
    assert rows["main"]["Δtotal"].startswith("-")
