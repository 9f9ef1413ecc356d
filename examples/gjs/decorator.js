// The spec's decorator example in gjs: profile(name, fn) wraps a function;
// profile(fn) names the region after the function.
//
//   gjs -m decorator.js
//
// Installed, import the module by path instead:
//   'file:///usr/share/scope-profiler-1/js/scopeProfiler.js' (your prefix).

import {profile, setup, finalize} from '../../bindings/js/scopeProfiler.js';

// A 2x2 solve is all this example needs.
const solve = profile('solver', (A, b) => {
    const det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
    return [(b[0] * A[1][1] - A[0][1] * b[1]) / det,
        (A[0][0] * b[1] - A[1][0] * b[0]) / det];
});

const residual = profile(function residual(A, x, b) {
    return Math.hypot(A[0][0] * x[0] + A[0][1] * x[1] - b[0],
        A[1][0] * x[0] + A[1][1] * x[1] - b[1]);
});
// region name: "residual"

setup({filePath: 'example_decorator_gjs.h5'});
for (let i = 1; i <= 100; i++) {
    const A = [[4 + i, 1], [1, 3 + i]];
    const b = [1, i];
    const x = solve(A, b);
    if (residual(A, x, b) > 1e-9)
        throw new Error('bad solve');
}
finalize();
