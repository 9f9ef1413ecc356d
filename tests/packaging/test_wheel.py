# test_wheel.py: the scope_profiler package as pip users get it
#
# Copyright 2026 The scope-profiler authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later

"""Builds a wheel from the source tree (pyproject.toml, meson-python, offline:
``pip wheel --no-build-isolation --no-deps``), installs it into virtual
environments made with ``/usr/bin/python3 -m venv`` and runs the package
there with a clean environment (no PYTHONPATH, LD_LIBRARY_PATH,
GI_TYPELIB_PATH or SCOPE_PROFILER_* variable):

- a bare venv (no system site packages: no gi, numpy or h5py): import,
  record, finalize with the summary, ``python -m scope_profiler run`` and
  the ``scope-profiler`` script; the numpy accessors raise an ImportError
  naming numpy;
- a venv with the system site packages (numpy): the accessors return numpy
  int64 arrays, and the file reads back; with this build's typelib,
  PyGObject and the package share the wheel's library (one default manager).

The build is a full Meson build of the library (a few minutes on 2 CPUs):
suite 'packaging' only.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

SOURCE_ROOT = Path(os.environ.get('SP_SOURCE_ROOT',
                                  Path(__file__).resolve().parents[2]))
SYSTEM_PYTHON = '/usr/bin/python3'
HDF5_SIGNATURE = b'\x89HDF\r\n\x1a\n'


def clean_env(home, path_first=None):
    """The environment of a user's shell: PATH and HOME, nothing of ours."""
    path = '/usr/bin:/bin'
    if path_first is not None:
        path = '%s:%s' % (path_first, path)
    return {'PATH': path, 'HOME': str(home), 'LANG': 'C.UTF-8'}


def run(args, env, cwd, check=True, timeout=600):
    proc = subprocess.run([str(a) for a in args], env=env, cwd=str(cwd),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        pytest.fail('%s exited with %d\n--- stdout\n%s\n--- stderr\n%s'
                    % (' '.join(map(str, args)), proc.returncode,
                       proc.stdout[-6000:], proc.stderr[-6000:]))
    return proc


def copy_source(dest):
    """The working tree without build directories, git data or meson-python
    leftovers (the build writes into its source directory)."""
    def ignore(directory, names):
        if Path(directory) == SOURCE_ROOT:
            return [n for n in names
                    if n.startswith(('build', '_build', '.git', '.mesonpy'))]
        return [n for n in names if n in ('__pycache__',) or n.startswith('.mesonpy')]
    shutil.copytree(SOURCE_ROOT, dest, ignore=ignore, symlinks=True)


@pytest.fixture(scope='module')
def work(tmp_path_factory):
    return tmp_path_factory.mktemp('packaging')


@pytest.fixture(scope='module')
def wheel(work):
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import mesonpy'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if probe.returncode != 0:
        pytest.skip('meson-python is not importable by %s (Debian: python3-mesonpy): %s'
                    % (SYSTEM_PYTHON, probe.stdout.strip().splitlines()[-1:]))
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import venv, ensurepip'],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if probe.returncode != 0:
        pytest.skip('%s cannot make virtual environments (Debian: python3-venv)'
                    % SYSTEM_PYTHON)

    source = work / 'source'
    copy_source(source)
    dist = work / 'dist'
    env = clean_env(work)
    run([SYSTEM_PYTHON, '-m', 'pip', 'wheel', '--no-build-isolation', '--no-deps',
         '--no-index', '-w', dist,
         '--config-settings', 'builddir=%s' % (work / 'build'),
         '--config-settings', 'compile-args=-j2',
         source], env=env, cwd=work, timeout=1800)
    wheels = list(dist.glob('scope_profiler-*.whl'))
    assert len(wheels) == 1, wheels
    return wheels[0]


def make_venv(work, name, wheel, system_site_packages):
    venv = work / name
    args = [SYSTEM_PYTHON, '-m', 'venv']
    if system_site_packages:
        args.append('--system-site-packages')
    run(args + [venv], env=clean_env(work), cwd=work)
    run([venv / 'bin' / 'python', '-m', 'pip', 'install', '--no-index', '--no-deps', wheel],
        env=clean_env(work, venv / 'bin'), cwd=work)
    return venv


@pytest.fixture(scope='module')
def bare_venv(work, wheel):
    return make_venv(work, 'bare', wheel, system_site_packages=False)


@pytest.fixture(scope='module')
def numpy_venv(work, wheel):
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import numpy'], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        pytest.skip('numpy is not installed for %s (Debian: python3-numpy)' % SYSTEM_PYTHON)
    return make_venv(work, 'with-numpy', wheel, system_site_packages=True)


def venv_python(venv, work, code, check=True, cwd=None):
    script = work / 'snippet.py'
    script.write_text(textwrap.dedent(code))
    return run([venv / 'bin' / 'python', script], env=clean_env(work, venv / 'bin'),
               cwd=cwd or work, check=check)


# ---------------------------------------------------------------------------
# The wheel


def test_wheel_holds_the_package_the_extension_and_the_script(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry_points = zf.read(next(n for n in names if n.endswith('.dist-info/entry_points.txt')))
        wheel_info = zf.read(next(n for n in names if n.endswith('.dist-info/WHEEL'))).decode()
    top = {n.split('/')[0] for n in names}
    extensions = [n for n in names if n.startswith('_scope_profiler_native.') and n.endswith('.so')]
    assert len(extensions) == 1, names
    assert 'scope_profiler/__init__.py' in names
    assert 'scope_profiler/__main__.py' in names
    # The library, one file under its soname, beside the package.
    assert [n for n in names if n.startswith('scope_profiler.libs/')] == \
        ['scope_profiler.libs/libscope-profiler-1.so.0'], names
    # Nothing but the package, its extension, the library and the
    # metadata: no headers, pkg-config file, typelib, gi override, gjs
    # module or C tool.
    assert top == {'scope_profiler', 'scope_profiler.libs', extensions[0],
                   wheel.name.split('-')[0] + '-' + wheel.name.split('-')[1] + '.dist-info'}, \
        sorted(top)
    assert not any('gi/overrides' in n or n.endswith(('.h', '.typelib', '.gir', '.pc', '.js'))
                   for n in names), names
    assert 'Root-Is-Purelib: false' in wheel_info
    assert 'scope-profiler = scope_profiler.__main__:main' in entry_points.decode()
    assert '[pytest11]\nscope_profiler.pytest_plugin = scope_profiler.pytest_plugin\n' \
        in entry_points.decode()


def test_extension_finds_the_library_in_the_wheel(wheel, work):
    readelf = shutil.which('readelf')
    if readelf is None:
        pytest.skip('readelf (binutils) is not installed')
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.startswith('_scope_profiler_native.'))
        extension = Path(zf.extract(name, work / 'unpacked'))
        library = Path(zf.extract('scope_profiler.libs/libscope-profiler-1.so.0',
                                  work / 'unpacked'))
    env = clean_env(work)
    dynamic = run([readelf, '-d', '-W', extension], env=env, cwd=work).stdout
    assert 'Shared library: [libscope-profiler-1.so.0]' in dynamic
    runpath = next(line for line in dynamic.splitlines() if '(RUNPATH)' in line or '(RPATH)' in line)
    assert '$ORIGIN/scope_profiler.libs' in runpath.split('[', 1)[1].rstrip(']').split(':')
    # The installed library's soname: a process that loads both gets one.
    dynamic = run([readelf, '-d', '-W', library], env=env, cwd=work).stdout
    assert 'Library soname: [libscope-profiler-1.so.0]' in dynamic
    symbols = run([readelf, '--dyn-syms', '-W', extension], env=env, cwd=work).stdout
    exported = sorted(line.split()[-1] for line in symbols.splitlines()
                      if ' GLOBAL ' in line and ' DEFAULT ' in line and ' UND ' not in line)
    assert exported == ['PyInit__scope_profiler_native'], exported


# ---------------------------------------------------------------------------
# A bare virtual environment: no gi, numpy or h5py


RECORDING = '''
    import json, sys
    import scope_profiler
    import _scope_profiler_native
    from scope_profiler import ProfileManager

    ProfileManager.setup(file_path=sys.argv[1] if len(sys.argv) > 1 else 'session.h5')

    @ProfileManager.profile('work')
    def work(n):
        return sum(range(n))

    for _ in range(7):
        work(1000)
    with ProfileManager.profile_region('block'):
        sum(range(10))

    region = ProfileManager.get_region('work')
    try:
        durations = region.get_durations_numpy()
    except ImportError as error:
        numpy_result = {'error': type(error).__name__, 'message': str(error)}
    else:
        numpy_result = {'type': type(durations).__module__ + '.' + type(durations).__name__,
                        'dtype': str(durations.dtype), 'values': durations.tolist()}
    info = {
        'package': scope_profiler.__file__,
        'extension': _scope_profiler_native.__file__,
        'prefix': sys.prefix,
        'modules': sorted(m for m in ('gi', 'numpy', 'h5py') if m in sys.modules),
        'numpy': numpy_result,
        'calls': region.get_num_calls(),
        'libraries': sorted({line.split()[-1] for line in open('/proc/self/maps')
                             if 'libscope-profiler' in line}),
    }
    ProfileManager.finalize()
    print('INFO ' + json.dumps(info))
'''


def parse_info(stdout):
    lines = [line for line in stdout.splitlines() if line.startswith('INFO ')]
    assert len(lines) == 1, stdout
    return json.loads(lines[0][len('INFO '):])


def test_bare_venv_has_no_gi_numpy_or_h5py(bare_venv, work):
    proc = venv_python(bare_venv, work, '''
        import importlib.util
        print(sorted(m for m in ('gi', 'numpy', 'h5py') if importlib.util.find_spec(m)))
    ''')
    assert proc.stdout.strip() == '[]'


def test_bare_venv_records_finalizes_and_prints_the_summary(bare_venv, work):
    cwd = work / 'bare-record'
    cwd.mkdir()
    proc = venv_python(bare_venv, work, RECORDING, cwd=cwd)
    info = parse_info(proc.stdout)
    venv_prefix = str(bare_venv)
    assert info['prefix'] == venv_prefix
    assert info['package'].startswith(venv_prefix + '/'), info
    assert info['extension'].startswith(venv_prefix + '/'), info
    assert info['modules'] == []  # the package imported neither gi, numpy nor h5py
    assert info['libraries'] == [
        venv_prefix + '/lib/python%d.%d/site-packages/scope_profiler.libs/libscope-profiler-1.so.0'
        % sys.version_info[:2]], info
    assert info['calls'] == 7
    # The summary of finalize (verbose by default), both regions.
    assert 'Region: work' in proc.stdout
    assert 'Region: block' in proc.stdout
    assert 'Total Calls : 7' in proc.stdout
    assert (cwd / 'session.h5').read_bytes()[:8] == HDF5_SIGNATURE
    # The arrays say that numpy is needed.
    assert info['numpy']['error'] in ('ImportError', 'ModuleNotFoundError'), info
    assert 'numpy' in info['numpy']['message'], info


def test_bare_venv_runs_a_script(bare_venv, work):
    cwd = work / 'bare-run'
    cwd.mkdir()
    (cwd / 'script.py').write_text(textwrap.dedent('''
        def solve(n):
            return sum(i * i for i in range(n))

        for _ in range(4):
            solve(100)
        print('script done')
    '''))
    env = clean_env(work, bare_venv / 'bin')
    proc = run([bare_venv / 'bin' / 'python', '-m', 'scope_profiler', 'run',
                '-o', 'run.h5', 'script.py'], env=env, cwd=cwd)
    assert 'script done' in proc.stdout
    assert 'Region: __main__.solve' in proc.stdout
    assert 'Total Calls : 4' in proc.stdout
    assert (cwd / 'run.h5').read_bytes()[:8] == HDF5_SIGNATURE

    # The console script of the wheel is the same entry point.
    script = bare_venv / 'bin' / 'scope-profiler'
    assert script.is_file()
    proc = run([script, 'run', '-o', 'run2.h5', 'script.py'], env=env, cwd=cwd)
    assert 'script done' in proc.stdout
    assert 'Region: __main__.solve' in proc.stdout
    assert (cwd / 'run2.h5').read_bytes()[:8] == HDF5_SIGNATURE


# ---------------------------------------------------------------------------
# With numpy (the system site packages)


def test_numpy_venv_returns_numpy_arrays(numpy_venv, work):
    cwd = work / 'numpy-record'
    cwd.mkdir()
    proc = venv_python(numpy_venv, work, RECORDING, cwd=cwd)
    info = parse_info(proc.stdout)
    # The wheel's package, not a system-wide one.
    assert info['package'].startswith(str(numpy_venv) + '/'), info
    assert info['extension'].startswith(str(numpy_venv) + '/'), info
    assert info['numpy']['type'] == 'numpy.ndarray', info
    assert info['numpy']['dtype'] == 'int64', info
    assert len(info['numpy']['values']) == 7
    assert all(value > 0 for value in info['numpy']['values']), info

    # The file reads back through the package's reader (numpy).
    proc = venv_python(numpy_venv, work, '''
        from scope_profiler.h5reader import ProfilingH5Reader
        reader = ProfilingH5Reader('session.h5')
        region = reader.get_region('work')[0]  # rank 0
        print(type(region.start_times).__name__, region.start_times.dtype,
              region.start_times.size)
    ''', cwd=cwd)
    assert proc.stdout.split() == ['ndarray', 'int64', '7']


def test_one_library_with_the_typelib(numpy_venv, work):
    """The wheel's package and PyGObject's ScopeProfiler typelib (of this
    build) in one process: one library, one default manager."""
    typelib_dir = os.environ.get('SP_TYPELIB_DIR')
    if not typelib_dir or not (Path(typelib_dir) / 'ScopeProfiler-1.0.typelib').is_file():
        pytest.skip('no ScopeProfiler typelib in this build (introspection disabled)')
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import gi'], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        pytest.skip('PyGObject is not installed for %s (Debian: python3-gi)' % SYSTEM_PYTHON)
    cwd = work / 'with-gi'
    cwd.mkdir()
    script = work / 'gi_snippet.py'
    script.write_text(textwrap.dedent('''
        import json
        from scope_profiler import ProfileManager
        ProfileManager.setup(file_path='gi.h5', verbose=False)
        import gi
        gi.require_version('ScopeProfiler', '1.0')
        from gi.repository import ScopeProfiler
        region = ScopeProfiler.ProfileManager.get_default().profile_region('from-gi')
        region.enter()
        region.exit()
        print('INFO ' + json.dumps({
            'regions': sorted(ProfileManager.get_all_regions()),
            'libraries': sorted({line.split()[-1] for line in open('/proc/self/maps')
                                 if 'libscope-profiler' in line}),
        }))
        ProfileManager.finalize(verbose=False)
    '''))
    env = clean_env(work, numpy_venv / 'bin')
    env['GI_TYPELIB_PATH'] = typelib_dir
    proc = run([numpy_venv / 'bin' / 'python', script], env=env, cwd=cwd, timeout=60)
    info = parse_info(proc.stdout)
    assert info['regions'] == ['from-gi'], info
    assert len(info['libraries']) == 1, info
    assert info['libraries'][0].startswith(str(numpy_venv) + '/'), info


def test_pytest_plugin_of_the_installed_wheel(numpy_venv, work):
    """pytest finds the plugin through the wheel's pytest11 entry point."""
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import pytest'], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        pytest.skip('pytest is not installed for %s' % SYSTEM_PYTHON)
    cwd = work / 'pytest-run'
    cwd.mkdir()
    (cwd / 'test_small.py').write_text('def test_a():\n    pass\n')
    env = clean_env(work, numpy_venv / 'bin')
    proc = run([numpy_venv / 'bin' / 'python', '-m', 'pytest', '-p', 'no:cacheprovider',
                '--scope-profile=run.h5', 'test_small.py'], env=env, cwd=cwd)
    assert '1 passed' in proc.stdout
    proc = venv_python(numpy_venv, work, '''
        from scope_profiler.h5reader import ProfilingH5Reader
        print(sorted(region.name for region in ProfilingH5Reader('run.h5').get_regions()))
    ''', cwd=cwd)
    assert 'test_small.py::test_a' in proc.stdout


def test_spec_snippets_and_current_api_with_the_installed_wheel(numpy_venv, work):
    """The spec's snippets (regions.md) and the tests of the current API
    (import scope_profiler as sp, sp.session(), independent managers) pass
    against the installed wheel, not the source tree."""
    probe = subprocess.run([SYSTEM_PYTHON, '-c', 'import pytest, h5py'], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        pytest.skip('pytest and h5py are needed for %s (Debian: python3-pytest, python3-h5py)'
                    % SYSTEM_PYTHON)
    spec = SOURCE_ROOT.parent / 'shared' / 'spec' / 'regions.md'
    if not spec.is_file():
        spec = SOURCE_ROOT / 'docs' / 'spec' / 'regions.md'
    cwd = work / 'suites'
    cwd.mkdir()
    env = clean_env(work, numpy_venv / 'bin')
    proc = venv_python(numpy_venv, work, '''
        import scope_profiler
        print(scope_profiler.__file__)
    ''', cwd=cwd)
    assert proc.stdout.startswith(str(numpy_venv) + '/'), proc.stdout
    tests = SOURCE_ROOT / 'tests' / 'python'
    proc = run([numpy_venv / 'bin' / 'python', '-m', 'pytest', '-p', 'no:cacheprovider', '-q',
                '--spec-file', spec, tests / 'test_spec_snippets.py', tests / 'test_api.py'],
               env=env, cwd=cwd, timeout=600)
    assert ' passed' in proc.stdout and 'failed' not in proc.stdout, proc.stdout[-3000:]
