#!/usr/bin/python3
# Writes the odd inputs the viewer must survive (damaged, empty or huge sessions): each is either
# shown or turned into a clear error page, never a crash, a hang or a blank
# window. Made at build time so nothing big is committed.
#
# usage: make_odd_sessions.py KIND OUTPUT
#
#   directory          a directory named like a session
#   zero-bytes         an empty file
#   no-groups          a valid HDF5 file with nothing in it
#   one-call           one region called once
#   negative-interval  a call that ends before it starts
#   untimed            regions counted but not timed (time-trace off)
#   many-regions[=N]   N regions (50,000 by default), one call each, in the
#                      Python package's layout (a group per region, as the
#                      library's writer has too)

import os
import shutil
import sys

import h5py
import numpy as np

STR = h5py.string_dtype(encoding="utf-8")

# The regions of "many-regions": region i is called once, from i * STEP;
# the durations vary so that sorting by total means something, and the
# longest call belongs to region LONGEST.
STEP = 1000
LONGEST = 31337


def many_duration(i):
    return 1000 if i == LONGEST else 1 + (i * 7919) % 900


def write_regions(path, regions, num_calls=None):
    """regions: {name: (starts, ends)} on rank 0, thread 0, in the layout
    sp-h5-writer.c writes (schema 1, a group per region)."""
    with h5py.File(path, "w") as f:
        f.attrs["scope_profiler_schema"] = np.int64(1)
        meta = f.create_group("metadata")
        meta.attrs.create("generator", "tests/viewer/make_odd_sessions.py", dtype=STR)
        group = f.create_group("rank0/regions")
        for name, (starts, ends) in regions.items():
            g = group.create_group(name)
            g.attrs.create("name", name, dtype=STR)
            g.attrs["num_calls"] = np.int64(len(starts) if num_calls is None else num_calls)
            g.create_dataset("start_times", data=np.asarray(starts, dtype=np.int64))
            g.create_dataset("end_times", data=np.asarray(ends, dtype=np.int64))
            g.create_dataset("thread_ids", data=np.zeros(len(starts), dtype=np.int64))


def write_many(path, n):
    # h5py's high-level API costs ~100 µs per object; 100,000 objects take
    # a few seconds, which is fine for a fixture made once per build.
    with h5py.File(path, "w") as f:
        f.attrs["scope_profiler_schema"] = np.int64(1)
        group = f.create_group("rank0/regions")
        for i in range(n):
            start = i * STEP
            g = group.create_group("region-%05d" % i)
            g.create_dataset("start_times", data=np.array([start], dtype=np.int64))
            g.create_dataset("end_times", data=np.array([start + many_duration(i)], dtype=np.int64))


def main():
    kind, output = sys.argv[1], sys.argv[2]
    tmp = output + ".tmp"

    if kind == "directory":
        # A directory named like a session, with a file in it so that it is
        # obviously not a file the viewer could have mistaken for one.
        shutil.rmtree(output, ignore_errors=True)
        os.makedirs(os.path.join(output, "rank0"))
        with open(os.path.join(output, "README"), "w") as f:
            f.write("a directory, not a session file\n")
        return 0

    if kind == "zero-bytes":
        open(tmp, "wb").close()
    elif kind == "no-groups":
        with h5py.File(tmp, "w"):
            pass
    elif kind == "one-call":
        write_regions(tmp, {"only": ([1000], [5000])})
    elif kind == "negative-interval":
        write_regions(tmp, {
            "fine": ([0, 1000], [500, 1500]),
            "backwards": ([2000, 3000], [2500, 2900]),  # the second ends 100 ns before it starts
        })
    elif kind == "untimed":
        # what the library writes with time-trace off: counts, no times
        write_regions(tmp, {"counted": ([], []), "also counted": ([], [])}, num_calls=3)
    elif kind.startswith("many-regions"):
        n = int(kind.split("=", 1)[1]) if "=" in kind else 50000
        write_many(tmp, n)
    else:
        print("unknown kind %r" % kind, file=sys.stderr)
        return 2

    os.replace(tmp, output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
