// The spec's context-manager example in gjs: profileRegion(name, callback)
// runs the callback inside the region.
//
//   gjs -m context_manager.js

import {profileRegion, setup, finalize} from '../../bindings/js/scopeProfiler.js';

const computeRhs = state => state.map(s => -0.5 * s + Math.sin(s));

function timeStep(state, dt) {
    const rhs = profileRegion('rhs_evaluation', () => computeRhs(state));

    profileRegion('state_update', () => {
        for (let i = 0; i < state.length; i++)
            state[i] += dt * rhs[i];
    });
}

setup({filePath: 'example_context_manager_gjs.h5'});
const state = new Float64Array(10000).fill(1);
for (let i = 0; i < 100; i++)
    timeStep(state, 0.01);
finalize();
