// The spec's "mixing both" example in gjs: a wrapped function and a
// profileRegion() with the same name accumulate into one region; an async
// function is timed until its promise settles.
//
//   gjs -m mixing.js

import {profile, profileRegion, getRegion, setup, finalize} from
    '../../bindings/js/scopeProfiler.js';

const process = chunk => {
    let total = 0;
    for (let i = 0; i < chunk; i++)
        total += i * i;
    return total;
};

const computeBatch = profile('compute', data => {
    for (const chunk of data)
        profileRegion('compute', () => process(chunk));
});
// Both contribute to the same "compute" region.

const fetchLater = profile('fetch', async ms => {
    await new Promise(resolve => setTimeout(resolve, ms));
    return ms;
});

setup({filePath: 'example_mixing_gjs.h5'});
const data = [1000, 2000, 3000];
computeBatch(data);
await fetchLater(20);
if (getRegion('compute').num_calls !== 1 + data.length)
    throw new Error('the decorator and the context manager should share "compute"');
finalize();
