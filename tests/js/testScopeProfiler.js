// gjs tests of scopeProfiler.js (gjs -m testScopeProfiler.js).
//
// The module is imported from the source tree by relative path, as an
// uninstalled user would; meson provides GI_TYPELIB_PATH/LD_LIBRARY_PATH.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';

import {
    ScopeProfiler, Profiler, profile, profileRegion, setup, finalize, getRegion,
    getAllRegions, getSummary, session, region, regionData, toBigInt64Array, getManager,
} from '../../bindings/js/scopeProfiler.js';
import {
    test, run, cleanup, assert, assertEqual, assertThrows, assertRejects, sleep,
} from './tap.js';

const tmpdir = GLib.dir_make_tmp('scope-profiler-gjs-XXXXXX');
const path = name => GLib.build_filenamev([tmpdir, name]);
cleanup(() => removeTree(Gio.File.new_for_path(tmpdir)));
const calls = name => getRegion(name)?.num_calls ?? 0;

function removeTree(file) {
    const children = file.enumerate_children('standard::name,standard::type',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    let info;
    while ((info = children.next_file(null)) !== null) {
        const child = file.get_child(info.get_name());
        if (info.get_file_type() === Gio.FileType.DIRECTORY)
            removeTree(child);
        else
            child.delete(null);
    }
    file.delete(null);
}

function freshSession(options = {}) {
    setup({flushToDisk: false, verbose: false, ...options});
}

test('the module acts on the default manager', () => {
    assert(getManager() === ScopeProfiler.ProfileManager.get_default());
});

test('profile(name, fn) wraps a function with the same semantics', () => {
    freshSession();
    const solve = profile('solver', function (a, b) {
        return [this, a + b];
    });
    const self = {};
    const [gotThis, sum] = solve.call(self, 2, 3);
    assert(gotThis === self, 'this passes through');
    assertEqual(sum, 5);
    assertEqual(solve.length, 2, 'length');
    solve(1, 1);
    assertEqual(calls('solver'), 2);
});

test('profile(fn) names the region after the function', () => {
    freshSession();
    function namedFunction() {
        return 42;
    }
    const wrapped = profile(namedFunction);
    assertEqual(wrapped.name, 'namedFunction');
    assertEqual(wrapped(), 42);
    assertEqual(calls('namedFunction'), 1);
    assertThrows(() => profile(() => 1), e => e instanceof TypeError, 'anonymous needs a name');
});

test('exceptions propagate and close the region', () => {
    freshSession();
    const fails = profile('fails', () => {
        throw new RangeError('boom');
    });
    for (let i = 0; i < 3; i++)
        assertThrows(fails, e => e instanceof RangeError);
    assertEqual(calls('fails'), 3);
    assertEqual(regionData(getRegion('fails')).durations.length, 3);
});

test('profileRegion runs the callback inside the region', () => {
    freshSession();
    let inside = false;
    const result = profileRegion('rhs', () => {
        inside = true;
        return 'result';
    });
    assert(inside);
    assertEqual(result, 'result');
    assertEqual(calls('rhs'), 1);
    assertThrows(() => profileRegion('rhs', () => {
        throw new Error('x');
    }));
    assertEqual(calls('rhs'), 2);
});

test('decorators and profileRegion share a region', () => {
    freshSession();
    const compute = profile('compute', data => {
        for (const chunk of data)
            profileRegion('compute', () => chunk * 2);
    });
    compute([1, 2, 3]);
    assertEqual(calls('compute'), 4);
});

test('nested regions nest in time', () => {
    freshSession();
    profileRegion('outer', () => profileRegion('inner', () => GLib.usleep(1000)));
    const outer = regionData(getRegion('outer'));
    const inner = regionData(getRegion('inner'));
    assert(outer.startTimes[0] <= inner.startTimes[0]);
    assert(inner.endTimes[0] <= outer.endTimes[0]);
    assert(inner.durations[0] >= 1000000n, 'slept 1 ms');
});

test('async functions are timed to settlement', async () => {
    freshSession();
    const slow = profile('slow', async x => {
        await sleep(20);
        return x * 2;
    });
    const promise = slow(4);
    assertEqual(calls('slow'), 0, 'open until settled');
    assertEqual(await promise, 8);
    assertEqual(calls('slow'), 1);
    const [duration] = regionData(getRegion('slow')).durations;
    assert(duration >= 20000000n, `duration ${duration} covers the await`);
});

test('a rejected promise closes the region', async () => {
    freshSession();
    const rejects = profile('rejects', async () => {
        await sleep(1);
        throw new Error('rejected');
    });
    await assertRejects(rejects(), e => e.message === 'rejected');
    assertEqual(calls('rejects'), 1);
    await assertRejects(profileRegion('rejects', () => Promise.reject(new Error('r'))));
    assertEqual(calls('rejects'), 2);
});

test('profileRegion with an async callback waits for it', async () => {
    freshSession();
    const value = await profileRegion('asyncRegion', async () => {
        await sleep(5);
        return 'done';
    });
    assertEqual(value, 'done');
    assertEqual(calls('asyncRegion'), 1);
    assert(regionData(getRegion('asyncRegion')).durations[0] >= 5000000n);
});

test('concurrent async calls are all counted', async () => {
    freshSession();
    const task = profile('task', async ms => {
        await sleep(ms);
    });
    await Promise.all([5, 1, 3].map(task));
    assertEqual(calls('task'), 3);
});

test('generators are timed per step', () => {
    freshSession();
    const gen = profile('gen', function* (n) {
        for (let i = 0; i < n; i++)
            yield i;
        return 'end';
    });
    const it = gen(3);
    assertEqual(calls('gen'), 0, 'creating runs nothing');
    assertEqual([...it].join(','), '0,1,2');
    assertEqual(calls('gen'), 4);
});

test('decorators made before setup() survive setups', () => {
    const early = profile('early', () => 1);
    freshSession();
    early();
    assertEqual(calls('early'), 1);
    freshSession();
    assert(getRegion('early') !== null, 'known after setup');
    assertEqual(calls('early'), 0);
    early();
    early();
    assertEqual(calls('early'), 2);
});

test('getRegion and getAllRegions', () => {
    freshSession();
    assertEqual(getRegion('missing'), null);
    profileRegion('a', () => {});
    profileRegion('b', () => {});
    const all = getAllRegions();
    assert(all instanceof Map);
    assert(all.get('a') === getRegion('a'));
    assertEqual(all.get('b').num_calls, 1);
    assert(region('a') === getRegion('a'));
});

test('timestamps are BigInt64Arrays', () => {
    freshSession();
    profileRegion('big', () => {});
    const data = regionData(getRegion('big'));
    for (const column of ['startTimes', 'endTimes', 'durations', 'threadIds'])
        assert(data[column] instanceof BigInt64Array, column);
    assertEqual(data.endTimes[0] - data.startTimes[0], data.durations[0]);
    assertEqual(toBigInt64Array(null).length, 0);
});

test('unknown setup() option names the closest', () => {
    const e = assertThrows(() => setup({filepath: 'x.h5'}), e => e instanceof TypeError);
    assert(String(e).includes("did you mean 'filePath'"), String(e));
    assertThrows(() => setup({bufferLimit: 0}), e => e instanceof RangeError);
});

test('setup options reach the config', () => {
    setup({bufferLimit: 7, filePath: path('cfg.h5'), timeTrace: false, verbose: false});
    const config = getManager().get_config();
    assertEqual(config.buffer_limit, 7);
    assertEqual(config.file_path, path('cfg.h5'));
    assertEqual(config.time_trace, false);
    profileRegion('counted', () => {});
    assertEqual(calls('counted'), 1);
    freshSession();
});

test('finalize writes the file; errors are GLib.Error', () => {
    setup({filePath: path('out.h5'), verbose: false});
    profileRegion('written', () => {});
    finalize();
    assert(GLib.file_test(path('out.h5'), GLib.FileTest.EXISTS));

    setup({filePath: path('missing/dir/out.h5'), verbose: false});
    profileRegion('written', () => {});
    const e = assertThrows(() => finalize(), e => e instanceof GLib.Error);
    assert(e.message.includes('missing'), e.message);
    finalize({filePath: path('retry.h5')});
    assert(GLib.file_test(path('retry.h5'), GLib.FileTest.EXISTS));
    freshSession();
});

test('session() finalizes when the callback throws', () => {
    assertThrows(() => session({filePath: path('session.h5'), verbose: false}, () => {
        profileRegion('inSession', () => {});
        throw new Error('body');
    }));
    assert(GLib.file_test(path('session.h5'), GLib.FileTest.EXISTS));
    freshSession();
});

test('summary names the regions', () => {
    freshSession();
    profileRegion('summarized', () => {});
    assert(getSummary().includes('summarized'));
});

test('independent Profiler instances', () => {
    freshSession();
    const other = new Profiler();
    other.setup({flushToDisk: false, verbose: false});
    other.profileRegion('private', () => {});
    assertEqual(other.getRegion('private').num_calls, 1);
    assertEqual(getRegion('private'), null);
    const {profile: otherProfile} = other;
    otherProfile('detached', () => {})();
    assertEqual(other.getRegion('detached').num_calls, 1);
});

await run();
