#!/usr/bin/env python3
# The spec's context-manager example: ProfileManager.profile_region() around
# sections of a time step. Writes example_context_manager.h5.

import numpy as np

from scope_profiler import ProfileManager


def compute_rhs(state):
    return -0.5 * state + np.sin(state)


def time_step(state, dt):
    with ProfileManager.profile_region("rhs_evaluation"):
        rhs = compute_rhs(state)

    with ProfileManager.profile_region("state_update"):
        state += dt * rhs


def main():
    ProfileManager.setup(file_path="example_context_manager.h5")
    state = np.ones(10_000)
    for _ in range(200):
        time_step(state, 0.01)
    ProfileManager.finalize()


if __name__ == "__main__":
    main()
