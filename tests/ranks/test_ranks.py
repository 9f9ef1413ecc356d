"""Multi-process runs: four ranks become one session with four rank groups."""

import os
import shutil
import signal
import subprocess
import sys

import h5py
import pytest

WORKER = os.environ["SP_RANK_WORKER"]
HAVE_MPI = os.environ.get("SP_HAVE_MPI") == "1"
HERE = os.path.dirname(os.path.abspath(__file__))
MPIRUN = shutil.which("mpirun")


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMPI_", "PMI", "PMIX_", "SLURM_", "SCOPE_PROFILER_MPI"))}
    env.update(extra)
    return env


def check_session(path, ranks, per_rank_work):
    with h5py.File(path, "r") as f:
        assert f.attrs["scope_profiler_schema"] == 1
        assert sorted(k for k in f.keys() if k.startswith("rank")) == [f"rank{r}" for r in ranks]
        assert f["metadata"].attrs["mpi_size"] == 4
        assert f["metadata"].attrs["total_cores"] == 4 * f["metadata"].attrs["omp_num_threads"]
        for r in ranks:
            regions = f[f"rank{r}/regions"]
            assert regions["work/start_times"].shape == (per_rank_work(r),)
            assert regions["work"].attrs["num_calls"] == per_rank_work(r)
            assert regions[f"rank-{r}/start_times"].shape[0] in (7, 1)
        return dict(f["metadata"].attrs)


def spawn_ranks(path, die=(), timeout=30, job=None):
    procs = []
    for r in range(4):
        env = clean_env(OMPI_COMM_WORLD_RANK=str(r), OMPI_COMM_WORLD_SIZE="4")
        if job:
            env["PMIX_NAMESPACE"] = job
        args = [WORKER, path, "--timeout", str(timeout)]
        if r in die:
            args.append("--die")
        procs.append(subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True))
    return procs


def test_four_plain_processes(tmp_path):
    path = str(tmp_path / "run.h5")
    procs = spawn_ranks(path, job="job-a")
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    check_session(path, range(4), lambda r: (r + 1) * 100)
    # The parts are merged and gone; nothing else is left behind.
    assert sorted(os.listdir(tmp_path)) == ["run.h5"]


def test_a_killed_rank_does_not_hang_or_corrupt(tmp_path):
    path = str(tmp_path / "run.h5")
    procs = spawn_ranks(path, die={2}, timeout=3)
    errors = {}
    for r, p in enumerate(procs):
        _, errors[r] = p.communicate(timeout=120)
    assert procs[2].returncode == -signal.SIGKILL
    for r in (0, 1, 3):
        assert procs[r].returncode == 0, errors[r]
    assert "missing rank(s) 2 of 4" in errors[0]
    meta = check_session(path, [0, 1, 3], lambda r: (r + 1) * 100)
    assert meta["missing_ranks"] == "2"
    # The killed rank left its spill file: what it flushed is recoverable.
    assert any(name.endswith(".spill") for name in os.listdir(tmp_path))

    # Rank 2 is run again; its part merged in later completes the session.
    env = clean_env(OMPI_COMM_WORLD_RANK="2", OMPI_COMM_WORLD_SIZE="4")
    subprocess.run([WORKER, path], env=env, check=True, timeout=60)
    assert os.path.exists(path + ".rank2.h5")
    full = str(tmp_path / "full.h5")
    subprocess.run([os.environ["SP_TOOL"], "merge", path, path + ".rank2.h5", "-o", full],
                   check=True, timeout=60)
    meta = check_session(full, range(4), lambda r: (r + 1) * 100)
    assert "missing_ranks" not in meta


def test_stale_part_of_another_job_is_not_merged(tmp_path):
    path = str(tmp_path / "run.h5")
    # A part left by an earlier job with the same output name.
    old = spawn_ranks(path, die={0, 1, 2}, timeout=1, job="old-job")
    for p in old:
        p.communicate(timeout=60)
    assert os.path.exists(path + ".rank3.h5")
    procs = spawn_ranks(path, die={3}, timeout=2, job="new-job")
    for p in procs:
        p.communicate(timeout=60)
    meta = check_session(path, [0, 1, 2], lambda r: (r + 1) * 100)
    assert meta["job_id"] == "new-job"
    assert meta["missing_ranks"] == "3"


def test_scope_profiler_mpi_0_means_one_rank(tmp_path):
    path = str(tmp_path / "single.h5")
    env = clean_env(OMPI_COMM_WORLD_RANK="0", OMPI_COMM_WORLD_SIZE="4", SCOPE_PROFILER_MPI="0")
    subprocess.run([WORKER, path], env=env, check=True, timeout=60)
    with h5py.File(path, "r") as f:
        assert [k for k in f.keys() if k.startswith("rank")] == ["rank0"]
        assert f["metadata"].attrs["mpi_size"] == 1


def mpirun(*args):
    return [MPIRUN, "--allow-run-as-root", "--oversubscribe", "-np", "4", *args]


@pytest.mark.skipif(not (HAVE_MPI and MPIRUN), reason="library built without MPI, or no mpirun")
def test_mpirun_c_program(tmp_path):
    path = str(tmp_path / "mpi.h5")
    subprocess.run(mpirun(WORKER, path, "--mpi"), env=clean_env(), check=True, timeout=300)
    check_session(path, range(4), lambda r: (r + 1) * 100)
    assert sorted(os.listdir(tmp_path)) == ["mpi.h5"]


@pytest.mark.skipif(not (HAVE_MPI and MPIRUN), reason="library built without MPI, or no mpirun")
def test_mpirun_mpi4py_program(tmp_path):
    pytest.importorskip("mpi4py")
    path = str(tmp_path / "py.h5")
    subprocess.run(mpirun(sys.executable, os.path.join(HERE, "mpi4py_worker.py"), path),
                   env=clean_env(), check=True, timeout=300)
    with h5py.File(path, "r") as f:
        assert sorted(k for k in f.keys() if k.startswith("rank")) == [f"rank{r}" for r in range(4)]
        assert f["metadata"].attrs["mpi_size"] == 4
        for r in range(4):
            assert f[f"rank{r}/regions/step/start_times"].shape == ((r + 1) * 10,)
            assert f"rank-{r}" in f[f"rank{r}/regions"]
