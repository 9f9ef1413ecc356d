#!/usr/bin/env python3
# The spec's decorator example: @ProfileManager.profile, with and without a
# region name. Writes example_decorator.h5 and prints the summary.

import numpy as np

from scope_profiler import ProfileManager


@ProfileManager.profile("solver")
def solve(A, b):
    return np.linalg.solve(A, b)


@ProfileManager.profile
def residual(A, x, b):
    return np.linalg.norm(A @ x - b)
# region name: "residual"


def main():
    ProfileManager.setup(file_path="example_decorator.h5")
    rng = np.random.default_rng(0)
    for _ in range(100):
        A = rng.random((50, 50)) + 50 * np.eye(50)
        b = rng.random(50)
        x = solve(A, b)
        assert residual(A, x, b) < 1e-8
    ProfileManager.finalize()


if __name__ == "__main__":
    main()
