#!/usr/bin/env python3
# Per-call cost of the Python paths, in nanoseconds (best of 5 timeit runs).
#
#   meson devenv -C build python3 examples/python/overhead.py
#
# The floor is PyGObject's cost of two GI calls (Region.enter/exit); the
# decorator and "with region:" add one Python frame each on top.

import timeit

import gi

gi.require_version('ScopeProfiler', '1.0')
from gi.repository import ScopeProfiler  # noqa: E402

from scope_profiler import ProfileManager  # noqa: E402

N = 200_000


def per_call(stmt, namespace):
    return min(timeit.repeat(stmt, globals=namespace, number=N, repeat=5)) / N * 1e9


def main():
    ProfileManager.setup(flush_to_disk=False, verbose=False)
    region = ProfileManager.profile_region('bench')

    def plain():
        pass

    @ProfileManager.profile('bench')
    def decorated():
        pass

    ns = {
        'region': region, 'plain': plain, 'decorated': decorated,
        'enter': ScopeProfiler.Region.enter, 'leave': ScopeProfiler.Region.exit,
        'PM': ProfileManager, 'clock': ScopeProfiler.get_current_time,
    }
    base = per_call('plain()', ns)
    rows = [
        ('empty Python call', base),
        ('ScopeProfiler.get_current_time()', per_call('clock()', ns)),
        ('enter(region); leave(region) (GI floor)', per_call('enter(region); leave(region)', ns)),
        ('region.enter(); region.exit()', per_call('region.enter(); region.exit()', ns)),
        ('with region:', per_call('with region: pass', ns)),
        ('with ProfileManager.profile_region(name):',
         per_call("with PM.profile_region('bench'): pass", ns)),
        ('@ProfileManager.profile call (minus empty call)', per_call('decorated()', ns) - base),
    ]
    for label, ns_per_call in rows:
        print('%-50s %7.0f ns' % (label, ns_per_call))
    print('calls recorded:', region.num_calls)


if __name__ == '__main__':
    main()
