# One process, one file: regions recorded by the C path and by Python (and,
# in a separate gjs process, by the C path and gjs) land in one session file,
# read back here with h5py.
#
# "The C path" is ScopeProfiler.Region.enter()/exit() called through GI:
# the same sp_region_enter()/sp_region_exit() C code calls, with no Python
# code of ours in between.

import os
import shutil
import subprocess
import threading
from pathlib import Path

import gi
import pytest

gi.require_version('ScopeProfiler', '1.0')
from gi.repository import ScopeProfiler  # noqa: E402

from scope_profiler import ProfileManager  # noqa: E402

h5py = pytest.importorskip('h5py')
np = pytest.importorskip('numpy')

TESTS_JS = Path(__file__).resolve().parent.parent / 'js'


def read_file(path):
    regions = {}
    with h5py.File(path, 'r') as f:
        for group in f['rank0/regions'].values():
            name = group.attrs['name']
            name = name.decode() if isinstance(name, bytes) else name
            columns = {key: group[key][()] for key in ('start_times', 'end_times', 'thread_ids')}
            for column in columns.values():
                assert column.dtype == np.int64
            regions[name] = columns
        metadata = dict(f['metadata'].attrs)
    return regions, metadata


def contains(outer, inner):
    """Every interval of ``inner`` lies inside one of ``outer`` on its thread."""
    for start, end, thread in zip(inner['start_times'], inner['end_times'], inner['thread_ids']):
        ok = ((outer['start_times'] <= start) & (end <= outer['end_times']) &
              (outer['thread_ids'] == thread))
        if not ok.any():
            return False
    return True


def test_c_and_python_regions_in_one_file(tmp_path):
    path = tmp_path / 'mixed.h5'
    ProfileManager.setup(file_path=str(path), verbose=False)

    default = ScopeProfiler.ProfileManager.get_default()
    c_outer = default.profile_region('c_outer')
    c_shared = default.profile_region('shared')
    enter, leave = ScopeProfiler.Region.enter, ScopeProfiler.Region.exit

    @ProfileManager.profile('py_function')
    def py_function():
        with ProfileManager.profile_region('py_region'):
            pass

    @ProfileManager.profile('shared')
    def py_shared():
        pass

    def worker():
        for _ in range(5):
            enter(c_outer)           # C path
            py_function()            # Python decorator + context manager
            leave(c_outer)
            enter(c_shared)          # same name from both sides
            leave(c_shared)
            py_shared()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    worker()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    ProfileManager.finalize()

    regions, metadata = read_file(path)
    assert set(regions) >= {'c_outer', 'py_function', 'py_region', 'shared'}
    assert len(regions['c_outer']['start_times']) == 15
    assert len(regions['py_function']['start_times']) == 15
    assert len(regions['shared']['start_times']) == 30
    assert len(np.unique(regions['c_outer']['thread_ids'])) == 3
    # Python calls nest inside the C-path calls of their own thread.
    assert contains(regions['c_outer'], regions['py_function'])
    assert contains(regions['py_function'], regions['py_region'])
    value = metadata['python_version']
    import platform
    assert (value.decode() if isinstance(value, bytes) else value) == platform.python_version()


def test_c_and_gjs_regions_in_one_file(tmp_path):
    gjs = shutil.which('gjs')
    if gjs is None:
        pytest.skip('gjs is not installed')
    path = tmp_path / 'mixed-gjs.h5'
    result = subprocess.run([gjs, '-m', str(TESTS_JS / 'mixedRegions.js'), str(path)],
                            capture_output=True, text=True, cwd=tmp_path,
                            env=dict(os.environ), timeout=60)
    assert result.returncode == 0, result.stderr

    regions, metadata = read_file(path)
    assert set(regions) == {'c_path', 'js_function', 'js_region', 'shared'}
    assert len(regions['c_path']['start_times']) == 3
    assert len(regions['js_function']['start_times']) == 3
    assert len(regions['shared']['start_times']) == 6
    assert contains(regions['c_path'], regions['js_function'])
    assert contains(regions['c_path'], regions['js_region'])
    assert 'gjs_version' in metadata


def test_regions_of_the_c_side_are_the_package_regions():
    # A region created by C code (here through GI, on the default manager
    # that SP_PROFILE_SCOPE uses) has one Python object in the package,
    # the same every time, and the calls of both sides.
    import _scope_profiler_native as native

    ProfileManager.setup(flush_to_disk=False, verbose=False)
    c_region = ScopeProfiler.ProfileManager.get_default().profile_region('from_c')
    c_region.enter()
    c_region.exit()

    region = ProfileManager.get_region('from_c')
    assert type(region) is native.Region
    assert ProfileManager.get_region('from_c') is region
    assert ProfileManager.profile_region('from_c') is region
    assert ProfileManager.get_all_regions()['from_c'] is region
    with region:
        pass
    assert region.num_calls == c_region.get_num_calls() == 2

    # The GI wrapper also goes through the extension's per-call path.
    native.enter(c_region)
    native.exit(c_region)
    assert region.num_calls == 3
    with pytest.raises(TypeError):
        native.enter(ScopeProfiler.Config())


def test_default_manager_is_the_c_default():
    ProfileManager.setup(flush_to_disk=False, verbose=False)
    with ProfileManager.profile_region('from_python'):
        pass
    c_default = ScopeProfiler.ProfileManager.get_default()
    assert c_default.get_region('from_python').get_num_calls() == 1
    assert ProfileManager().get_manager() is not ProfileManager.get_manager()
    assert ScopeProfiler.ProfileManager.new().get_region('from_python') is None
