#!/usr/bin/python3
"""One rank of an mpi4py program profiled with scope_profiler (run under mpirun)."""

import sys

from mpi4py import MPI

from scope_profiler import ProfileManager

rank = MPI.COMM_WORLD.Get_rank()
ProfileManager.setup(file_path=sys.argv[1], verbose=False, buffer_limit=50)


@ProfileManager.profile("step")
def step():
    MPI.COMM_WORLD.Barrier() if False else None


for _ in range((rank + 1) * 10):
    step()

with ProfileManager.profile_region(f"rank-{rank}"):
    pass

ProfileManager.finalize()
