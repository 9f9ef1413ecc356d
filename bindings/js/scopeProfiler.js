// scopeProfiler.js: the scope-profiler API for gjs
//
// Copyright 2026 The scope-profiler authors
//
// SPDX-License-Identifier: LGPL-2.1-or-later

/**
 * Region profiling for gjs scripts, recorded by the ScopeProfiler C library.
 *
 * Import it by path (gjs 1.74 resolves only relative, file:// and
 * resource:// module specifiers):
 *
 *     import {profile, profileRegion, setup, finalize} from
 *         'file:///usr/share/scope-profiler-1/js/scopeProfiler.js';
 *
 * (replace /usr with the installation prefix; from the source tree the file
 * is bindings/js/scopeProfiler.js). The module imports
 * gi://ScopeProfiler itself and re-exports it as `ScopeProfiler`.
 *
 *     setup({filePath: 'run.h5'});
 *     const solve = profile('solver', (A, b) => ...);
 *     profileRegion('rhs', () => { ... });
 *     finalize();
 *
 * What is measured:
 *  - a plain function: one call per invocation, entry to return or throw;
 *  - a function that returns a promise (every `async` function): one call
 *    per invocation, from entry until the promise settles (timed to
 *    settlement, awaiting included);
 *  - a generator function: one call per step (each next/return/throw that
 *    runs the body); an async generator: one call per step, until the
 *    step's promise settles.
 * A region's calls nest per thread, last in first out; async calls of one
 * region that overlap pair their start and end times in LIFO order (counts
 * and totals are exact, individual durations of overlapping calls may be
 * exchanged).
 *
 * Names are shared with C and Python code in the same process: the
 * functions exported here act on the process-wide default manager.
 */

import ScopeProfiler from 'gi://ScopeProfiler?version=1.0';
import System from 'system';

export {ScopeProfiler};

// Resolved once, so the per-call path is two native calls.
const {enter: regionEnter, exit: regionExit} = ScopeProfiler.Region.prototype;

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

const OPTIONS = {
    enabled: 'enabled',
    timeTrace: 'time-trace',
    flushToDisk: 'flush-to-disk',
    bufferLimit: 'buffer-limit',
    filePath: 'file-path',
    verbose: null,
    label: null,
};

function editDistance(a, b) {
    let previous = Array.from({length: b.length + 1}, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1,
                previous[j - 1] + cost);
        }
        previous = current;
    }
    return previous[b.length];
}

function unknownOption(fn, key, valid) {
    let best = null, bestDistance = Infinity;
    for (const name of valid) {
        const distance = editDistance(key, name);
        if (distance < bestDistance) {
            best = name;
            bestDistance = distance;
        }
    }
    let message = `${fn}(): unknown option '${key}'`;
    if (best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 3)))
        message += `; did you mean '${best}'?`;
    else
        message += `; valid options: ${valid.join(', ')}`;
    return new TypeError(message);
}

function isThenable(value) {
    return value !== null && (typeof value === 'object' || typeof value === 'function') &&
        typeof value.then === 'function';
}

// Closes the region when `promise` settles, passing its outcome through.
function closeOnSettlement(promise, region) {
    return promise.then(value => {
        regionExit.call(region);
        return value;
    }, error => {
        regionExit.call(region);
        throw error;
    });
}

// Runs `fn` inside `region`: closed on return, on throw, or, if `fn`
// returns a promise, when it settles.
function runInRegion(region, fn, self, args) {
    regionEnter.call(region);
    let result;
    try {
        result = fn.apply(self, args);
    } catch (e) {
        regionExit.call(region);
        throw e;
    }
    if (isThenable(result))
        return closeOnSettlement(result, region);
    regionExit.call(region);
    return result;
}

function wrapIterator(iterator, region, isAsync) {
    const step = method => function (...args) {
        if (typeof iterator[method] !== 'function') {
            if (method === 'return')
                return isAsync ? Promise.resolve({value: args[0], done: true})
                    : {value: args[0], done: true};
            throw args[0];
        }
        return runInRegion(region, iterator[method], iterator, args);
    };
    const wrapped = {
        next: step('next'),
        return: step('return'),
        throw: step('throw'),
    };
    if (isAsync)
        wrapped[Symbol.asyncIterator] = function () {
            return this;
        };
    else
        wrapped[Symbol.iterator] = function () {
            return this;
        };
    Object.defineProperty(wrapped, Symbol.toStringTag,
        {value: isAsync ? 'AsyncGenerator' : 'Generator'});
    return wrapped;
}

function copyFunctionMetadata(wrapper, fn) {
    for (const key of ['name', 'length']) {
        try {
            Object.defineProperty(wrapper, key, {value: fn[key], configurable: true});
        } catch (e) {
            // Non-configurable on exotic functions; the wrapper keeps its own.
        }
    }
    Object.defineProperty(wrapper, 'wrappedFunction', {value: fn});
    return wrapper;
}

/**
 * Converts a GLib.Bytes of native int64 values (what Region.get_durations()
 * and friends return) to a BigInt64Array: doubles would lose precision above
 * 2^53 ns.
 *
 * @param {GLib.Bytes} bytes the values
 * @returns {BigInt64Array} a copy of the values
 */
export function toBigInt64Array(bytes) {
    if (bytes === null)
        return new BigInt64Array(0);
    const u8 = bytes.toArray();
    if (u8.byteOffset % 8 === 0)
        return new BigInt64Array(u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength));
    return new BigInt64Array(u8.slice().buffer);
}

/**
 * A set of profiling functions bound to one ScopeProfiler.ProfileManager.
 * The module's top-level functions belong to the process-wide default
 * manager; `new Profiler()` makes an independent one.
 */
export class Profiler {
    /**
     * @param {ScopeProfiler.ProfileManager} [manager] defaults to a new,
     *   independent manager
     */
    constructor(manager = ScopeProfiler.ProfileManager.new()) {
        this.manager = manager;
        this._regions = new Map();    // fetched this session (a cache)
        this._decorated = new Map();  // regions of profile()d functions
        this._verbose = true;

        // Usable detached: const {profile} = new Profiler().
        for (const name of ['setup', 'finalize', 'profile', 'profileRegion', 'region',
            'getRegion', 'getAllRegions', 'getSummary', 'printSummary', 'session',
            'setMetadata'])
            this[name] = this[name].bind(this);
    }

    /**
     * Starts a new session; all regions are cleared. Functions wrapped by
     * profile() keep working across setup().
     *
     * @param {object} [options] enabled, timeTrace, flushToDisk, bufferLimit,
     *   filePath, verbose (print the summary at finalize), label (metadata)
     */
    setup(options = {}) {
        const config = new ScopeProfiler.Config();
        let verbose = true;
        let label = null;
        for (const [key, value] of Object.entries(options)) {
            if (!Object.hasOwn(OPTIONS, key))
                throw unknownOption('setup', key, Object.keys(OPTIONS));
            if (key === 'verbose') {
                verbose = Boolean(value);
            } else if (key === 'label') {
                label = value === null || value === undefined ? null : String(value);
            } else if (key === 'bufferLimit') {
                if (!Number.isInteger(value) || value < 1 || value > 0xFFFFFFFF)
                    throw new RangeError(`setup(): bufferLimit must be an integer >= 1, not ${value}`);
                config.buffer_limit = value;
            } else if (key === 'filePath') {
                if (typeof value !== 'string' || value === '')
                    throw new TypeError('setup(): filePath must be a non-empty string');
                config.file_path = value;
            } else {
                config.set_property(OPTIONS[key], Boolean(value));
            }
        }
        // The summary is printed from JS, through print().
        config.verbose = false;

        this.manager.setup(config);
        this._verbose = verbose;
        this._regions.clear();
        this.manager.set_metadata('gjs_version', String(System.version));
        if (label !== null)
            this.manager.set_metadata('label', label);
    }

    /**
     * Writes the session file (nothing when flushToDisk is false) and, when
     * verbose, prints the summary. Throws the library's GLib.Error on I/O
     * failure; the data is kept, so a retry may succeed.
     *
     * @param {object} [options] verbose (defaults to setup()'s), filePath
     */
    finalize(options = {}) {
        for (const key of Object.keys(options)) {
            if (key !== 'verbose' && key !== 'filePath')
                throw unknownOption('finalize', key, ['verbose', 'filePath']);
        }
        const verbose = options.verbose ?? this._verbose;
        const summary = verbose ? this.manager.get_summary() : null;
        // The summary is printed from JS; also for a session that was never
        // set up from JS (the C default config prints).
        const config = this.manager.get_config();
        if (config?.verbose)
            config.verbose = false;
        if (options.filePath !== undefined && options.filePath !== null)
            this.manager.finalize_to_path(options.filePath);
        else
            this.manager.finalize();
        if (summary)
            print(summary.replace(/\n$/, ''));
    }

    /**
     * The region called `name`, created on first use. Enter and exit it
     * with region.enter()/region.exit(), or use profileRegion().
     *
     * @param {string} name the region name
     * @returns {ScopeProfiler.Region} the region
     */
    region(name) {
        let region = this._regions.get(name);
        if (region === undefined) {
            if (typeof name !== 'string' || name === '')
                throw new TypeError(`region name must be a non-empty string, not ${String(name)}`);
            region = this.manager.profile_region(name);
            if (region === null)
                throw new TypeError(`invalid region name '${name}'`);
            this._regions.set(name, region);
        }
        return region;
    }

    /**
     * Wraps `fn` so each execution records a call of region `name` (see the
     * module comment for what is measured). `this`, arguments, return
     * value and exceptions pass through.
     *
     * profile(fn) names the region after fn.name.
     *
     * @param {string|Function} name the region name, or the function
     * @param {Function} [fn] the function
     * @returns {Function} the wrapped function
     */
    profile(name, fn) {
        if (typeof name === 'function' && fn === undefined) {
            fn = name;
            name = fn.name;
        }
        if (typeof fn !== 'function')
            throw new TypeError('profile() needs a function');
        if (!name)
            throw new TypeError('profile(): an anonymous function needs a region name');

        const region = this.region(name);
        this._decorated.set(name, region);

        let wrapper;
        if (fn instanceof GeneratorFunction) {
            wrapper = function (...args) {
                return wrapIterator(fn.apply(this, args), region, false);
            };
        } else if (fn instanceof AsyncGeneratorFunction) {
            wrapper = function (...args) {
                return wrapIterator(fn.apply(this, args), region, true);
            };
        } else {
            wrapper = function (...args) {
                return runInRegion(region, fn, this, args);
            };
        }
        return copyFunctionMetadata(wrapper, fn);
    }

    /**
     * Runs `callback` inside region `name` and returns its result. The region
     * is closed when the callback returns or throws, or, when it returns a
     * promise, when that settles (the promise is returned).
     *
     * @param {string} name the region name
     * @param {Function} callback the code to time
     * @returns {*} what the callback returns
     */
    profileRegion(name, callback) {
        if (typeof callback !== 'function')
            throw new TypeError('profileRegion() needs a callback');
        return runInRegion(this.region(name), callback, undefined, []);
    }

    /**
     * Sets up a session, runs `callback` and finalizes, also when the
     * callback throws (or its promise rejects).
     *
     * @param {object} options setup() options
     * @param {Function} callback the code to profile
     * @returns {*} what the callback returns
     */
    session(options, callback) {
        this.setup(options);
        let result;
        try {
            result = callback();
        } catch (e) {
            this.finalize();
            throw e;
        }
        if (isThenable(result)) {
            return result.then(value => {
                this.finalize();
                return value;
            }, error => {
                this.finalize();
                throw error;
            });
        }
        this.finalize();
        return result;
    }

    /**
     * @param {string} name the region name
     * @returns {ScopeProfiler.Region|null} the region of the current session,
     *   or null. Regions of profile()d functions are always known.
     */
    getRegion(name) {
        return this.manager.get_region(name) ?? this._regions.get(name) ??
            this._decorated.get(name) ?? null;
    }

    /**
     * @returns {Map<string, ScopeProfiler.Region>} the regions of the
     *   current session by name
     */
    getAllRegions() {
        const result = new Map();
        const model = this.manager.get_regions();
        for (let i = 0; i < model.get_n_items(); i++) {
            const region = model.get_item(i);
            result.set(region.get_name(), region);
        }
        for (const extra of [this._regions, this._decorated]) {
            for (const [name, region] of extra) {
                if (!result.has(name))
                    result.set(name, region);
            }
        }
        return result;
    }

    /** @returns {string} the per-region statistics of the session */
    getSummary() {
        return this.manager.get_summary();
    }

    printSummary() {
        print(this.manager.get_summary().replace(/\n$/, ''));
    }

    /**
     * @param {string} key metadata key
     * @param {string} value metadata value
     */
    setMetadata(key, value) {
        this.manager.set_metadata(key, String(value));
    }
}

const defaultProfiler = new Profiler(ScopeProfiler.ProfileManager.get_default());

export const {
    setup, finalize, profile, profileRegion, getRegion, getAllRegions,
    getSummary, printSummary, session, setMetadata,
} = defaultProfiler;

/** @returns {ScopeProfiler.Region} the default manager's region `name` */
export const region = defaultProfiler.region;

/** @returns {ScopeProfiler.ProfileManager} the process-wide default manager */
export function getManager() {
    return defaultProfiler.manager;
}

/**
 * The buffered (not yet flushed) calls of `region` as BigInt64Arrays of
 * CLOCK_MONOTONIC nanoseconds.
 *
 * @param {ScopeProfiler.Region} region the region
 * @returns {{startTimes: BigInt64Array, endTimes: BigInt64Array,
 *   durations: BigInt64Array, threadIds: BigInt64Array}} the columns
 */
export function regionData(region) {
    return {
        startTimes: toBigInt64Array(region.get_start_times()),
        endTimes: toBigInt64Array(region.get_end_times()),
        durations: toBigInt64Array(region.get_durations()),
        threadIds: toBigInt64Array(region.get_thread_ids()),
    };
}
