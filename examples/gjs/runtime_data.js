// The spec's runtime-data example in gjs: call counts and the buffered
// timestamps as BigInt64Array (exact nanoseconds; doubles are not).
//
//   gjs -m runtime_data.js

import GLib from 'gi://GLib';

import {profile, profileRegion, getRegion, getAllRegions, regionData, setup, finalize} from
    '../../bindings/js/scopeProfiler.js';

const solve = profile('solver', n => GLib.usleep(n));

setup({flushToDisk: false, verbose: false});
for (let i = 0; i < 20; i++)
    solve(100);
profileRegion('outer', () => profileRegion('inner', () => GLib.usleep(500)));

const region = getRegion('solver');
// Number of completed calls
print(`solver calls: ${region.num_calls}`);
// Durations of buffered (not yet flushed) calls, in nanoseconds
const {durations} = regionData(region);
const total = durations.reduce((a, b) => a + b, 0n);
print(`mean ${Number(total / BigInt(durations.length)) / 1e3} us`);

for (const [name, r] of getAllRegions())
    print(`${name}: ${r.num_calls} calls`);
finalize();
