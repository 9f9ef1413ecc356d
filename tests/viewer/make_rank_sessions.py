#!/usr/bin/python3
# Writes the sessions the viewer's agreement tests read: sessions of several
# ranks and threads, with recursion, whose figures (share of the session,
# imbalance, per-rank comparisons) the viewer must take from the library,
# and a session with millions of calls of one region.
#
# usage: make_rank_sessions.py KIND OUTPUT
#
#   ranks-threads  4 ranks x 2 threads: "main" on thread 0 of each rank for
#                  the whole rank, "work" on both threads (uneven across
#                  ranks), "recurse" called 12 deep inside itself
#   run-1-rank     one rank: "main" for 3.66 s, "solve" 100 times
#   run-4-ranks    the same program on 4 ranks: "main" for about 2.08 s
#                  on each, "solve" 25 times on each
#   many-calls     4,800,000 calls of "tick" on one thread (compressed)

import os
import sys

import h5py
import numpy as np

STR = h5py.string_dtype(encoding="utf-8")


def write(path, calls, metadata=None, compress=False):
    """calls: {(rank, thread, name): (starts, ends)}, in our schema 1 with
    thread ids, as sp-h5-writer.c writes it."""
    kw = {"compression": "gzip", "shuffle": True} if compress else {}
    per_rank = {}
    for (rank, thread, name), (starts, ends) in calls.items():
        per_rank.setdefault(rank, {}).setdefault(name, []).append(
            (np.full(len(starts), thread, dtype=np.int64),
             np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)))
    with h5py.File(path, "w") as f:
        f.attrs["scope_profiler_schema"] = np.int64(1)
        meta = f.create_group("metadata")
        meta.attrs.create("generator", "tests/viewer/make_rank_sessions.py", dtype=STR)
        for key, value in (metadata or {}).items():
            meta.attrs[key] = np.int64(value)
        for rank, regions in sorted(per_rank.items()):
            threads = set()
            for name, parts in sorted(regions.items()):
                tids = np.concatenate([p[0] for p in parts])
                starts = np.concatenate([p[1] for p in parts])
                ends = np.concatenate([p[2] for p in parts])
                threads.update(int(t) for t in np.unique(tids))
                g = f.create_group("rank%d/regions/%s" % (rank, name))
                g.attrs.create("name", name, dtype=STR)
                g.attrs["num_calls"] = np.int64(len(starts))
                g.create_dataset("start_times", data=starts, **kw)
                g.create_dataset("end_times", data=ends, **kw)
                g.create_dataset("thread_ids", data=tids, **kw)
            rows = sorted(threads)
            g = f.create_group("rank%d/threads" % rank)
            g.create_dataset("index", data=np.array(rows, dtype=np.int64))
            g.create_dataset("native_id", data=np.array([1000 + t for t in rows], dtype=np.int64))
            g.create_dataset("name", data=np.array(["thread-%d" % t for t in rows], dtype=object), dtype=STR)


def ranks_threads():
    calls = {}
    rng = np.random.default_rng(16)
    for rank in range(4):
        span = 1_000_000_000 + rank * 150_000_000      # rank 3 is the slowest
        calls[(rank, 0, "main")] = ([0], [span])
        # "work": 40 calls per thread, durations spread so that p90 by
        # nearest rank and by interpolation differ; rank r does (r + 1) / 4
        # of rank 3's work
        for thread in range(2):
            n = 40
            d = rng.integers(1_000_000, 9_000_000, size=n) * (rank + 1) // 4
            starts = 10_000_000 + np.arange(n) * 10_000_000 + thread * 1000
            calls[(rank, thread, "work")] = (starts, starts + d)
        # "recurse": 12 calls nested in each other on thread 0, each
        # covering nearly the same 0.45 s: a total of ~12x its time
        starts = 450_000_000 + np.arange(12) * 1000
        ends = 900_000_000 - np.arange(12) * 1000
        calls[(rank, 0, "recurse")] = (starts, ends)
    return calls


def run(n_ranks, main_ns):
    calls = {}
    per_rank = 100 // n_ranks
    for rank in range(n_ranks):
        span = main_ns + rank * 1_000_000               # ranks nearly even
        calls[(rank, 0, "main")] = ([0], [span])
        step = span // (per_rank + 1)
        starts = 1000 + np.arange(per_rank) * step
        calls[(rank, 0, "solve")] = (starts, starts + step // 2)
    return calls


def main():
    kind, output = sys.argv[1], sys.argv[2]
    tmp = output + ".tmp"

    if kind == "ranks-threads":
        write(tmp, ranks_threads(), {"mpi_size": 4})
    elif kind == "run-1-rank":
        write(tmp, run(1, 3_660_000_000), {"mpi_size": 1})
    elif kind == "run-4-ranks":
        write(tmp, run(4, 2_080_000_000), {"mpi_size": 4})
    elif kind == "many-calls":
        n = 4_800_000
        starts = np.arange(n, dtype=np.int64) * 100
        write(tmp, {(0, 0, "tick"): (starts, starts + 40 + (np.arange(n) % 7))}, compress=True)
    else:
        print("unknown kind %r" % kind, file=sys.stderr)
        return 2

    os.replace(tmp, output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
