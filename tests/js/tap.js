// A minimal TAP producer for the gjs tests (run with gjs -m).

import System from 'system';

const tests = [];
const cleanups = [];

export function test(name, fn) {
    tests.push([name, fn]);
}

/** Runs `fn` after all tests, whatever their outcome. */
export function cleanup(fn) {
    cleanups.push(fn);
}

export class AssertionError extends Error {}

export function assert(condition, message = 'assertion failed') {
    if (!condition)
        throw new AssertionError(message);
}

export function assertEqual(actual, expected, message = '') {
    if (actual !== expected)
        throw new AssertionError(`${message} expected ${String(expected)}, got ${String(actual)}`);
}

export function assertThrows(fn, check, message = 'expected an exception') {
    try {
        fn();
    } catch (e) {
        if (check && !check(e))
            throw new AssertionError(`${message}: wrong exception ${e}`);
        return e;
    }
    throw new AssertionError(message);
}

export async function assertRejects(promise, check, message = 'expected a rejection') {
    try {
        await promise;
    } catch (e) {
        if (check && !check(e))
            throw new AssertionError(`${message}: wrong rejection ${e}`);
        return e;
    }
    throw new AssertionError(message);
}

export function sleep(ms) {
    return new Promise(resolve => setTimeout(resolve, ms));
}

export async function run() {
    print(`1..${tests.length}`);
    let failed = 0;
    for (const [i, [name, fn]] of tests.entries()) {
        try {
            // eslint-disable-next-line no-await-in-loop
            await fn();
            print(`ok ${i + 1} - ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} - ${name}`);
            for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
                print(`# ${line}`);
        }
    }
    for (const fn of cleanups) {
        try {
            fn();
        } catch (e) {
            print(`# cleanup failed: ${e}`);
        }
    }
    System.exit(failed > 0 ? 1 : 0);
}
