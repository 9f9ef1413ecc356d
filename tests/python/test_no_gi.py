# The scope_profiler package without PyGObject: users install it
# into venvs and conda environments that have no gi. Importing it must not
# import gi, and recording, finalizing and the summary must work where gi
# cannot be imported at all.

import subprocess
import sys
import textwrap

import pytest

from conftest import read_regions

SCRIPT = textwrap.dedent('''
    import sys

    try:
        import gi  # noqa: F401
    except ImportError as error:
        print('gi blocked:', error, file=sys.stderr)
    else:
        raise SystemExit('gi is importable: the test is broken')

    from scope_profiler import ProfileManager, ProfilerError

    assert 'gi' not in sys.modules, sorted(m for m in sys.modules if m.startswith('gi'))

    ProfileManager.setup(file_path='no-gi.h5')

    @ProfileManager.profile('decorated')
    def decorated(x):
        return x * 2

    region = ProfileManager.profile_region('with_region')
    for i in range(5):
        assert decorated(i) == 2 * i
        with region:
            with ProfileManager.profile_region('inner'):
                pass

    assert ProfileManager.get_region('decorated').num_calls == 5
    assert ProfileManager.get_region('with_region') is region
    assert list(ProfileManager.get_all_regions()) == ['decorated', 'with_region', 'inner']
    assert len(region.get_durations_numpy()) == 5

    try:
        ProfileManager().finalize(file_path='/nonexistent-dir/x.h5')
    except ProfilerError as error:
        assert isinstance(error, OSError)
    else:
        raise SystemExit('finalizing into a missing directory did not fail')

    ProfileManager.finalize()             # prints the summary
    assert 'gi' not in sys.modules
    print('no gi: done')
''')


def blocked_gi(tmp_path):
    """A directory that, first on sys.path, makes `import gi` fail."""
    shadow = tmp_path / 'shadow'
    (shadow / 'gi').mkdir(parents=True)
    (shadow / 'gi' / '__init__.py').write_text(
        "raise ImportError('gi is blocked for this test (no PyGObject)')\n")
    return shadow


def test_package_works_where_gi_cannot_be_imported(tmp_path):
    shadow = blocked_gi(tmp_path)
    # -c with sys.path[0] set first: PYTHONPATH (the uninstalled package and
    # extension) stays as meson set it, but the shadow gi wins.
    code = 'import sys; sys.path.insert(0, %r)\n' % str(shadow) + SCRIPT
    result = subprocess.run([sys.executable, '-c', code], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'gi blocked' in result.stderr
    assert 'no gi: done' in result.stdout
    # The summary, printed through sys.stdout.
    for name in ('decorated', 'with_region', 'inner'):
        assert 'Region: %s' % name in result.stdout
    assert 'Total Calls : 5' in result.stdout

    regions = read_regions(tmp_path / 'no-gi.h5')
    assert set(regions) == {'decorated', 'with_region', 'inner'}
    for name, columns in regions.items():
        assert len(columns['start_times']) == 5, name
        assert (columns['end_times'] >= columns['start_times']).all()
    # `with` regions nest: each inner call lies within a with_region call.
    outer, inner = regions['with_region'], regions['inner']
    assert ((outer['start_times'] <= inner['start_times']) &
            (inner['end_times'] <= outer['end_times'])).all()


def test_import_leaves_gi_out_of_sys_modules(tmp_path):
    # gi is importable here; the package must still not import it.
    code = ('import sys\n'
            'import scope_profiler\n'
            'from scope_profiler import ProfileManager\n'
            'with ProfileManager.profile_region("r"): pass\n'
            'ProfileManager.get_all_regions(); ProfileManager.get_summary()\n'
            'print(sorted(m for m in sys.modules if m == "gi" or m.startswith("gi.")))\n')
    result = subprocess.run([sys.executable, '-c', code], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[]'


def test_gi_is_importable_in_the_test_process():
    # Otherwise the test above proves nothing about "leaves gi out".
    pytest.importorskip('gi')
