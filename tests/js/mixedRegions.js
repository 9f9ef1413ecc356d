// Writes one session file with regions recorded through the C path
// (ScopeProfiler.Region.enter()/exit() called through GI) and through the
// gjs module, some under shared names. Checked by
// tests/python/test_mixed.py, which reads the file with h5py.
//
//   gjs -m mixedRegions.js OUTPUT.h5

import GLib from 'gi://GLib';
import System from 'system';

import {
    ScopeProfiler, profile, profileRegion, setup, finalize,
} from '../../bindings/js/scopeProfiler.js';

const [output] = System.programArgs;
if (!output)
    throw new Error('usage: gjs -m mixedRegions.js OUTPUT.h5');

setup({filePath: output, verbose: false});

const manager = ScopeProfiler.ProfileManager.get_default();
const cRegion = manager.profile_region('c_path');
const shared = manager.profile_region('shared');

const jsFunction = profile('js_function', n => {
    GLib.usleep(100);
    return n;
});
const jsShared = profile('shared', () => GLib.usleep(100));

for (let i = 0; i < 3; i++) {
    cRegion.enter();
    jsFunction(i);
    profileRegion('js_region', () => GLib.usleep(50));
    cRegion.exit();
    shared.enter();
    shared.exit();
    jsShared();
}

finalize();
