#!/usr/bin/env python3
# The spec's "accessing region data at runtime" example: num_calls and the
# numpy arrays of the buffered calls, before finalize().

import numpy as np

from scope_profiler import ProfileManager


@ProfileManager.profile("solver")
def solve(A, b):
    return np.linalg.solve(A, b)


def main():
    # In memory: finalize() writes no file.
    ProfileManager.setup(flush_to_disk=False, verbose=False)
    A = np.eye(100) * 3.0
    b = np.ones(100)
    for _ in range(50):
        solve(A, b)

    region = ProfileManager.get_region("solver")

    # Number of completed calls
    print("solver calls:", region.num_calls)

    # Durations of buffered (not yet flushed) calls, in nanoseconds
    durations = region.get_durations_numpy()
    print(f"mean {durations.mean() / 1e3:.1f} us, max {durations.max() / 1e3:.1f} us")

    for name, region in ProfileManager.get_all_regions().items():
        print(f"{name}: {region.num_calls} calls")

    ProfileManager.finalize()


if __name__ == "__main__":
    main()
