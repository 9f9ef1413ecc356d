#!/usr/bin/env python3
# The spec's "mixing both" example: a decorator and a context manager with
# the same name accumulate into one region. Writes example_mixing.h5.

from scope_profiler import ProfileManager


def process(chunk):
    return sum(i * i for i in range(chunk))


@ProfileManager.profile("compute")
def compute_batch(data):
    for chunk in data:
        with ProfileManager.profile_region("compute"):
            process(chunk)
# Both the decorator and the context manager contribute
# to the same "compute" region.


def main():
    ProfileManager.setup(file_path="example_mixing.h5")
    data = [1000, 2000, 3000]
    compute_batch(data)
    region = ProfileManager.get_region("compute")
    assert region.num_calls == 1 + len(data)
    ProfileManager.finalize()


if __name__ == "__main__":
    main()
