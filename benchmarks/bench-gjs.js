// bench-gjs.js: overhead of the gjs module's profile() wrapper, side by
// side with a raw enter(); exit() pair through GI.
//
// Copyright 2026 The scope-profiler authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Target (gjs per-call overhead): the overhead per call of a function wrapped
// by profile() <= 1.3 x the overhead of region.enter(); region.exit()
// written out by hand, both measured in this run, interleaved over repeats.
// Overhead = (loop with profiling - the same loop without) / calls.
//
//   meson devenv -C BUILD gjs -m benchmarks/bench-gjs.js [--quick]

import GLib from 'gi://GLib';
import System from 'system';
import {ScopeProfiler, profile, region, setup, finalize} from '../bindings/js/scopeProfiler.js';

const now = () => ScopeProfiler.get_current_time();

const quick = ARGV.includes('--quick');
const n = quick ? 20000 : 500000;
const repeats = quick ? 2 : 9;

function plain(x) {
    return x;
}

function loopCall(fn) {
    const t0 = now();
    let sink = 0;
    for (let i = 0; i < n; i++)
        sink += fn(i);
    const t = now() - t0;
    if (sink < 0)
        print(sink);
    return Number(t);
}

function loopEmpty() {
    const t0 = now();
    let sink = 0;
    for (let i = 0; i < n; i++)
        sink += plain(i);
    const t = now() - t0;
    if (sink < 0)
        print(sink);
    return Number(t);
}

function loopRaw(r) {
    const t0 = now();
    let sink = 0;
    for (let i = 0; i < n; i++) {
        r.enter();
        sink += plain(i);
        r.exit();
    }
    const t = now() - t0;
    if (sink < 0)
        print(sink);
    return Number(t);
}

function stats(values) {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return [sorted[0], median];
}

function report(what, values, unit, target) {
    const [min, median] = stats(values);
    let line = `${what.padEnd(46)} min ${min.toFixed(3).padStart(9)}  median ${median.toFixed(3).padStart(9)} ${unit.padEnd(3)}`;
    let met = true;
    if (target !== undefined) {
        met = median <= target;
        line += `  target <= ${target.toFixed(2)}: ${met ? 'MET' : 'NOT MET'}`;
    }
    print(line);
    return met;
}

const dir = GLib.dir_make_tmp('sp-bench-gjs-XXXXXX');
setup({filePath: `${dir}/bench.h5`, verbose: false});

const wrapped = profile('wrapped', plain);
const raw = region('raw');

// Warm: JIT tiers, buffers sized.
for (let k = 0; k < 3; k++) {
    loopEmpty();
    loopCall(wrapped);
    loopRaw(raw);
}

const rawPair = [], wrapper = [], ratio = [];
for (let r = 0; r < repeats; r++) {
    const empty = loopEmpty();
    const p = (loopRaw(raw) - empty) / n;
    const w = (loopCall(wrapped) - loopEmpty()) / n;
    rawPair.push(p);
    wrapper.push(w);
    ratio.push(w / p);
}

finalize({verbose: false});
GLib.unlink(`${dir}/bench.h5`);
GLib.rmdir(dir);

print(`scope-profiler gjs overhead per call, ${n} calls x ${repeats} repeats, gjs ${System.version}`);
report('raw enter(); exit() through GI', rawPair, 'ns');
report('profile() wrapper', wrapper, 'ns');
const ok = report('profile() wrapper / raw pair', ratio, 'x', 1.3);
print(`\nbench-gjs: ${ok ? 'all targets MET' : 'some targets NOT MET'}`);
