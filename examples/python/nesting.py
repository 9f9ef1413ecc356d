#!/usr/bin/env python3
# The spec's nesting example, plus the post-processing it mentions: which
# "inner" calls ran inside which "outer" call, from the recorded intervals.

import time

from scope_profiler import ProfileManager


def work():
    time.sleep(0.001)


def main():
    ProfileManager.setup(file_path="example_nesting.h5")

    for _ in range(3):
        with ProfileManager.profile_region("outer"):
            with ProfileManager.profile_region("inner"):
                work()
            work()

    outer = ProfileManager.get_region("outer")
    inner = ProfileManager.get_region("inner")
    o_start, o_end = outer.get_start_times_numpy(), outer.get_end_times_numpy()
    for start, end in zip(inner.get_start_times_numpy(), inner.get_end_times_numpy()):
        parents = ((o_start <= start) & (end <= o_end)).nonzero()[0]
        print(f"inner call [{start}, {end}] ns runs inside outer call #{parents[0]}")

    ProfileManager.finalize()


if __name__ == "__main__":
    main()
