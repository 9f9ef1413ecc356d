#!/usr/bin/python3
# make-seeds.py
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Writes the small seed corpora of the fuzz targets (a few KB each): session
# files of every schema, made with the writers of tests/fixtures/make-fixtures.py
# on tiny sessions, plus the smallest of its damaged files; spill files in
# the layout of scope-profiler/sp-spill-private.h; region names.
#
# Usage: make-seeds.py CORPUS_DIR [OWN_SESSION.h5 ...]
#   OWN_SESSION.h5: files written by the library itself (copied in as seeds)

import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import h5py
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "make_fixtures", os.path.join(here, "..", "fixtures", "make-fixtures.py"))
mf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mf)


def tiny(session, lanes, names, n_top=2, depth=2):
    """The same kind of session, cut down to a few lanes, names and calls
    so the file stays a few KB."""
    rng = np.random.default_rng(7)
    session.lanes = {key: lane for key, lane in session.lanes.items() if key in lanes}
    session.threads = {key: v for key, v in session.threads.items() if key in lanes}
    for i, key in enumerate(sorted(session.lanes)):
        if key in session.overlaps:
            continue
        session.lanes[key] = mf.gen_lane(rng, names, 1000 * (i + 1), n_top, depth)
    return session


def repack(path, layout=("-l", "CONTI")):
    """Latest format, contiguous datasets: the same content in fewer bytes."""
    tmp = path + ".tmp"
    subprocess.run(["h5repack", "-L", *layout, path, tmp], check=True)
    os.replace(tmp, path)


def session_seeds(outdir, own, damaged=True):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(20261125)

    columnar_names = ["step", "solve", "mpi.allreduce"]
    mf.write_python_schema1(os.path.join(outdir, "python-schema1.h5"),
                            tiny(mf.python_schema1_session(rng), {(0, -1), (2, -1)},
                                 ["main", "io/read"]), rng)
    mf.write_native_schema1(os.path.join(outdir, "native-schema1.h5"),
                            tiny(mf.native_session(rng), {(0, 0), (3, 2)},
                                 ["a/b", ".", "%2F"]), rng)
    mf.write_columnar(os.path.join(outdir, "python-schema2.h5"),
                      tiny(mf.columnar_session(rng, 2), {(0, 0), (1, 0)}, columnar_names),
                      rng, 2, compress=False)
    mf.write_columnar(os.path.join(outdir, "python-schema3.h5"),
                      tiny(mf.columnar_session(rng, 3), {(0, 0), (0, 1), (1, -1)}, columnar_names),
                      rng, 3, compress=False)
    mf.write_columnar(os.path.join(outdir, "python-schema3-gzip.h5"),
                      tiny(mf.columnar_session(rng, 3), {(0, 0)}, columnar_names, 1, 1),
                      rng, 3, compress=True)
    for name in ("python-schema1.h5", "native-schema1.h5", "python-schema2.h5", "python-schema3.h5"):
        repack(os.path.join(outdir, name))
    # Small chunks keep the gzip filter and the chunk index in a small file.
    repack(os.path.join(outdir, "python-schema3-gzip.h5"), ("-l", "CHUNK=16", "-f", "GZIP=1"))

    # The smallest damaged files of the fixtures: error paths as seeds.
    # Without `damaged`, only those HDF5 itself can open (their values are
    # what is wrong), for the targets that keep the structure intact.
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.devnull, "w") as null:
            saved = sys.stdout
            sys.stdout = null
            try:
                sys.argv = ["make-fixtures.py", tmp]
                mf.main()
            finally:
                sys.stdout = saved
        names = ["links.h5", "bad-schema.h5", "empty.h5", "schema-string.h5", "two-dims.h5",
                 "ends-before-start.h5", "thread-ids-length.h5", "dtype.h5"]
        if damaged:
            names += ["not-hdf5.h5", "garbage-after-signature.h5"]
        for name in names:
            shutil.copy(os.path.join(tmp, name), os.path.join(outdir, "fixture-" + name))

    for i, path in enumerate(own):
        shutil.copy(path, os.path.join(outdir, "own-writer-%d.h5" % i))
        repack(os.path.join(outdir, "own-writer-%d.h5" % i))


# --------------------------------------------------------------------------
# Spill files (sp-spill-private.h)


def record(rtype, payload):
    pad = (-len(payload)) % 8
    return struct.pack("=IIQ", rtype, 0, len(payload)) + payload + b"\0" * pad


def header(pid=1234, start=1000):
    """Version 1: a 32-byte header, the records right after it."""
    return b"SPSPILL\0" + struct.pack("=IIqq", 1, 0x01020304, pid, start)


RECORDS_OFFSET = 8192   # SP_SPILL_RECORDS_OFFSET
USERBLOCK = 4096        # SP_SPILL_USERBLOCK
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def header_v2(records, sealed_end=0, records_offset=RECORDS_OFFSET, pid=1234, start=1000,
              gap=b""):
    """Version 2: a 48-byte header with where the records start and, while
    the file is turned into a session, where they end; the room before the
    records (the HDF5 user block and superblock) holds @gap at the user
    block's end, zeros elsewhere."""
    head = b"SPSPILL\0" + struct.pack("=IIqqQQ", 2, 0x01020304, pid, start,
                                       records_offset, sealed_end)
    room = bytearray(max(records_offset - len(head), 0))
    if gap:
        at = USERBLOCK - len(head)
        room[at:at + len(gap)] = gap
    return head + bytes(room) + records


def metadata_string(key, value):
    k, v = key.encode(), value.encode()
    return record(1, struct.pack("=II", 0, len(k)) + k + v)


def metadata_int(key, value):
    k = key.encode()
    return record(1, struct.pack("=II", 1, len(k)) + k + struct.pack("=q", value))


def region(index, name):
    return record(2, struct.pack("=II", index, 0) + name.encode())


def thread(index, native, name):
    return record(3, struct.pack("=qq", index, native) + name.encode())


def block(region_index, thread_index, starts, ends):
    return record(4, struct.pack("=IIq", region_index, len(starts), thread_index)
                  + struct.pack("=%dq" % len(starts), *starts)
                  + struct.pack("=%dq" % len(ends), *ends))


def spill_seeds(outdir):
    os.makedirs(outdir, exist_ok=True)
    meta = (metadata_string("hostname", "node-042") + metadata_string("command_line", "./solver")
            + metadata_int("pid", 1234))
    full = (header() + meta
            + thread(0, 4242, "MainThread") + thread(1, 4243, "worker-1")
            + region(0, "main") + region(1, "a/b") + region(2, ".") + region(3, "100%")
            + block(0, 0, [10], [100])
            + block(1, 0, [20, 40], [30, 50])
            + block(1, 1, [21, 41, 61], [31, 51, 71])
            + block(2, 1, [22], [23])
            + block(3, 0, [60], [90]))
    seeds = {
        "full.spill": full,
        "header-only.spill": header(),
        "metadata-only.spill": header() + meta,
        # The process died in the middle of a block.
        "torn.spill": full + block(0, 0, [200, 300], [250, 350])[:-12],
        # Regions announced out of order, one never called.
        "sparse.spill": (header() + region(5, "late") + region(1, "early") + region(3, "idle")
                         + block(5, 0, [1, 2], [3, 4]) + block(1, 0, [5], [6])),
        "unicode.spill": (header() + thread(0, 1, "ünï") + region(0, "ünïcode ✓")
                          + region(1, "%2F") + block(0, 0, [1], [2]) + block(1, 0, [3], [4])),
    }
    # Version 2, as the library writes it now (the seeds above are version 1,
    # which it still reads).
    records = full[len(header()):]
    sealed_end = RECORDS_OFFSET + len(records)
    # What HDF5 had written past the records when the process died while
    # turning the file into a session: a superblock in the room before
    # them, objects after them. Never parsed as records.
    hdf5_tail = (HDF5_SIGNATURE + b"\0" * 8
                 + block(0, 0, [400], [500])
                 + record(77, b"not a record type")
                 + bytes(range(256)))
    seeds.update({
        "v2-full.spill": header_v2(records),
        "v2-header-only.spill": header_v2(b"", records_offset=RECORDS_OFFSET)[:48],
        "v2-torn.spill": header_v2(records + block(0, 0, [200, 300], [250, 350])[:-12]),
        "v2-sealed.spill": header_v2(records + hdf5_tail, sealed_end=sealed_end,
                                     gap=HDF5_SIGNATURE),
        # A conversion that failed and was undone: the superblock is left
        # before the records, the mark is cleared.
        "v2-unsealed-superblock.spill": header_v2(records, gap=HDF5_SIGNATURE),
        # The smallest room before the records the format allows.
        "v2-records-at-48.spill": header_v2(records, records_offset=48),
    })
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


# --------------------------------------------------------------------------
# Region names: a selector byte, then names separated by 0xFF.


def name_seeds(outdir):
    os.makedirs(outdir, exist_ok=True)
    seeds = {
        "plain": b"\x00main\xffsolve\xffmain",
        "escapes": b"\x01a/b\xffa%2Fb\xff.\xff%2E\xff%\xff%25\xff..\xff/",
        "unicode": "\x02ünïcode ✓\xff😀\xffmpi.allreduce".encode("utf-8").replace(b"\xc3\xbf", b"\xff"),
        "control": b"\x00tab\there\xffnew\nline\xff\x01\x02\x1b[0m",
        "invalid": b"\x01\xc3\x28\xff\xed\xa0\x80\xff\xf4\x90\x80\x80\xffok",
        "empty": b"\x02\xff\xff",
        "nul": b"\x00abc\x00def\xffabc",
    }
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


def main():
    corpus = sys.argv[1]
    own = sys.argv[2:]
    session_seeds(os.path.join(corpus, "fuzz-session"), own)
    session_seeds(os.path.join(corpus, "fuzz-session-values"), own, damaged=False)
    session_seeds(os.path.join(corpus, "fuzz-export"), own, damaged=False)
    spill_seeds(os.path.join(corpus, "fuzz-spill"))
    name_seeds(os.path.join(corpus, "fuzz-region-names"))


if __name__ == "__main__":
    main()
