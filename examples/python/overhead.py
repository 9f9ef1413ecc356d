#!/usr/bin/env python3
# Per-call cost of the Python paths, in nanoseconds (best of 5 timeit runs).
#
#   meson devenv -C build python3 examples/python/overhead.py
#
# The scope_profiler package calls the library through its own extension;
# the PyGObject rows (when gi is importable) show what the same calls cost
# through GObject-Introspection, the floor of a binding without one.

import timeit

from scope_profiler import ProfileManager, get_current_time

N = 200_000


def per_call(stmt, namespace):
    return min(timeit.repeat(stmt, globals=namespace, number=N, repeat=5)) / N * 1e9


def gi_rows(ns):
    """The same calls through PyGObject, on a region of the same manager."""
    try:
        import gi
        gi.require_version('ScopeProfiler', '1.0')
        from gi.repository import ScopeProfiler
    except (ImportError, ValueError):
        return []

    ns['gi_region'] = ScopeProfiler.ProfileManager.get_default().profile_region('bench-gi')
    ns['gi_enter'] = ScopeProfiler.Region.enter
    ns['gi_leave'] = ScopeProfiler.Region.exit
    return [
        ('PyGObject: Region.enter(r); Region.exit(r)',
         per_call('gi_enter(gi_region); gi_leave(gi_region)', ns)),
        ('PyGObject: with region:', per_call('with gi_region: pass', ns)),
    ]


def main():
    ProfileManager.setup(flush_to_disk=False, verbose=False)
    region = ProfileManager.profile_region('bench')

    def plain():
        pass

    @ProfileManager.profile('bench')
    def decorated():
        pass

    ns = {'region': region, 'plain': plain, 'decorated': decorated,
          'PM': ProfileManager, 'clock': get_current_time}
    base = per_call('plain()', ns)
    rows = [
        ('empty Python call', base),
        ('get_current_time()', per_call('clock()', ns)),
        ('region.enter(); region.exit()', per_call('region.enter(); region.exit()', ns)),
        ('with region:', per_call('with region: pass', ns)),
        ('with ProfileManager.profile_region(name):',
         per_call("with PM.profile_region('bench'): pass", ns)),
        ('@ProfileManager.profile call (minus empty call)', per_call('decorated()', ns) - base),
    ] + gi_rows(ns)
    for label, ns_per_call in rows:
        print('%-50s %7.0f ns' % (label, ns_per_call))
    print('calls recorded:', region.num_calls)
    ProfileManager.finalize(verbose=False)


if __name__ == '__main__':
    main()
