#!/usr/bin/python3
"""Read a session written by the C library with h5py and check the layout the
Python scope-profiler's readers expect (schema 1), plus our extensions.

Usage: check_h5py_layout.py SIMULATION_EXECUTABLE
"""

import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np


def main():
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "session.h5")
        out = subprocess.run([exe, path, "500"], check=True, capture_output=True, text=True)
        assert "Region: time_step" in out.stdout, out.stdout
        assert "Total Calls : 500" in out.stdout, out.stdout

        with h5py.File(path, "r") as f:
            assert f.attrs["scope_profiler_schema"] == 1
            assert f.attrs["scope_profiler_schema"].dtype == np.int64
            assert set(f.keys()) == {"metadata", "rank0"}, list(f.keys())

            meta = f["metadata"]
            assert isinstance(meta, h5py.Group) and len(meta) == 0  # attributes only
            for key in ("timestamp", "hostname", "platform", "user", "working_directory",
                        "scope_profiler_version", "command_line", "clock"):
                value = meta.attrs[key]
                assert isinstance(value, str), (key, type(value))
                assert h5py.check_string_dtype(meta.attrs.get_id(key).dtype).encoding == "utf-8"
            for key in ("omp_num_threads", "mpi_size", "total_cores", "start_time_ns", "pid"):
                assert meta.attrs[key].dtype == np.int64, key
            assert meta.attrs["clock"] == "CLOCK_MONOTONIC"
            assert meta.attrs["timestamp"].endswith("Z")

            regions = f["rank0/regions"]
            assert set(regions.keys()) == {"main", "time_step", "compute_rhs", "state_update",
                                           "diagnostics", "checkpoint"}, list(regions.keys())
            counts = {"main": 1, "time_step": 500, "compute_rhs": 500, "state_update": 500,
                      "diagnostics": 5, "checkpoint": 50}
            for name, group in regions.items():
                starts = group["start_times"]
                ends = group["end_times"]
                tids = group["thread_ids"]
                for ds in (starts, ends, tids):
                    assert ds.dtype == np.int64 and ds.ndim == 1
                    assert ds.maxshape == (None,), ds.maxshape
                    assert ds.chunks is not None
                assert starts.shape == ends.shape == tids.shape == (counts[name],), (name, starts.shape)
                assert group.attrs["name"] == name
                assert group.attrs["num_calls"] == counts[name]
                s, e = starts[()], ends[()]
                assert np.all(e >= s)
                assert np.all(s >= meta.attrs["start_time_ns"])

            # Nesting holds across regions: every time_step lies inside main.
            main_s = regions["main/start_times"][0]
            main_e = regions["main/end_times"][0]
            ts = regions["time_step/start_times"][()]
            te = regions["time_step/end_times"][()]
            assert np.all(ts >= main_s) and np.all(te <= main_e)

            # The checkpoint thread is a different thread from the main one.
            threads = f["rank0/threads"]
            assert set(threads.keys()) == {"index", "native_id", "name",
                                           "start_time", "end_time", "cpu_time"}
            # The threads' times (docs/file-format.md): when each first
            # recorded, when it ended (-1: still running at the write) and
            # its CPU time by then; the checkpoint thread has ended.
            t_start, t_end, t_cpu = (threads[c][()] for c in ("start_time", "end_time", "cpu_time"))
            assert t_start.shape == t_end.shape == t_cpu.shape == threads["index"].shape
            assert np.all(t_start >= meta.attrs["start_time_ns"]), t_start
            assert np.all((t_end == -1) | (t_end >= t_start)), (t_start, t_end)
            assert np.all(t_cpu >= 0), t_cpu
            names = dict(zip(threads["index"][()], [n.decode() for n in threads["name"][()]]))
            assert "io" in names.values(), names
            io_id = regions["checkpoint/thread_ids"][0]
            assert names[io_id] == "io"
            io_row = list(threads["index"][()]).index(io_id)
            assert t_end[io_row] > t_start[io_row], (t_start, t_end)
            assert regions["time_step/thread_ids"][0] != io_id

    print("h5py reads the session with the expected layout")


if __name__ == "__main__":
    main()
