# Every ```python snippet of the spec (../shared/spec/regions.md) runs
# exactly as written, import line included.
#
# The snippets form one page: later ones use names earlier ones define
# (ProfileManager, solve), so snippet N is run after snippets 0..N-1 in one
# namespace, as a reader would. The names the spec leaves to the reader
# (np, A, b, compute_rhs, process, work, ...) are provided as stand-ins, and
# after each snippet the functions it defines are called with them, so the
# later snippets have data to look at.

import inspect
import os
import re
from pathlib import Path

import pytest

SNIPPET_RE = re.compile(r'^```python[ \t]*\n(.*?)^```[ \t]*$', re.MULTILINE | re.DOTALL)


def spec_path(config):
    given = config.getoption('--spec-file')
    if given:
        return Path(given)
    # <checkout>/tests/python/ -> <checkout>/../shared/spec/regions.md
    return Path(__file__).resolve().parents[3] / 'shared' / 'spec' / 'regions.md'


def load_snippets(config):
    path = spec_path(config)
    if not path.is_file():
        pytest.skip('spec not found at %s (it lives beside the checkout, in '
                    '../shared/spec/regions.md)' % path)
    return SNIPPET_RE.findall(path.read_text(encoding='utf-8'))


def stand_ins():
    np = pytest.importorskip('numpy')
    return {
        'np': np,
        'A': np.array([[4.0, 1.0], [1.0, 3.0]]),
        'b': np.array([1.0, 2.0]),
        'state': np.ones(2),
        'dt': 0.1,
        'data': [3, 5, 7],
        'compute_rhs': lambda state: -0.5 * state,
        'process': lambda chunk: sum(range(chunk)),
        'work': lambda: sum(range(1000)),
    }


def exercise(namespace, defined):
    """Call the functions a snippet defined, with the stand-in arguments."""
    for name in defined:
        func = namespace[name]
        # Decorated functions are C callables on the fast path (like
        # functools.lru_cache's wrappers): a function once unwrapped.
        if not callable(func) or not inspect.isfunction(inspect.unwrap(func)) \
                or name in stand_ins():
            continue
        params = inspect.signature(func).parameters
        if all(p in namespace for p in params):
            func(*(namespace[p] for p in params))


def run_snippets(snippets, upto, call_functions=True):
    namespace = {'__name__': '__spec__'}
    namespace.update(stand_ins())
    for index, code in enumerate(snippets[:upto + 1]):
        before = dict(namespace)
        exec(compile(code, 'regions.md snippet %d' % index, 'exec'), namespace)
        if call_functions:
            exercise(namespace, [n for n, v in namespace.items() if before.get(n) is not v])
    return namespace


def pytest_generate_tests(metafunc):
    if 'snippet_index' in metafunc.fixturenames:
        path = spec_path(metafunc.config)
        count = len(SNIPPET_RE.findall(path.read_text(encoding='utf-8'))) if path.is_file() else 1
        metafunc.parametrize('snippet_index', range(count))


@pytest.fixture(autouse=True)
def fresh_session():
    from scope_profiler import ProfileManager

    # The snippets do not call setup(); a session that writes nothing keeps
    # the test directory clean. The first snippet's import must still work
    # on its own, which test_import_line checks in a fresh interpreter.
    ProfileManager.setup(flush_to_disk=False, verbose=False)
    yield


def test_spec_has_the_snippets(request):
    snippets = load_snippets(request.config)
    assert len(snippets) >= 7
    assert snippets[0].startswith('from scope_profiler import ProfileManager\n')


def test_snippet_runs_as_written(request, snippet_index, capsys):
    snippets = load_snippets(request.config)
    run_snippets(snippets, snippet_index)


def test_whole_page_without_calling_anything(request, capsys):
    # Nothing but the snippets: get_region("solver") must still find the
    # decorated function's region.
    snippets = load_snippets(request.config)
    run_snippets(snippets, len(snippets) - 1, call_functions=False)


def test_whole_page_records_what_it_says(request, capsys):
    from scope_profiler import ProfileManager

    snippets = load_snippets(request.config)
    namespace = run_snippets(snippets, len(snippets) - 1)

    regions = ProfileManager.get_all_regions()
    # "solver" (named decorator), "solve" (unnamed), the two context
    # managers of time_step, "compute" shared by decorator and context
    # manager, and the nested pair.
    assert regions['solver'].num_calls == 1
    assert regions['solve'].num_calls == 1
    assert regions['rhs_evaluation'].num_calls == 1
    assert regions['state_update'].num_calls == 1
    assert regions['compute'].num_calls == 1 + len(namespace['data'])
    assert regions['outer'].num_calls == 1
    assert regions['inner'].num_calls == 1
    outer, inner = regions['outer'], regions['inner']
    assert outer.get_start_times_numpy()[0] <= inner.get_start_times_numpy()[0]
    assert inner.get_end_times_numpy()[0] <= outer.get_end_times_numpy()[0]

    # The runtime-inspection snippets (the last one rebinds 'region').
    assert len(namespace['durations']) == 1
    assert namespace['durations'].dtype.name == 'int64'
    out = capsys.readouterr().out
    assert 'compute: 4 calls' in out
    assert 'solver: 1 calls' in out


def test_import_line_in_a_fresh_interpreter(request, tmp_path):
    import subprocess
    import sys

    snippets = load_snippets(request.config)
    first = snippets[0]
    script = tmp_path / 'first_snippet.py'
    script.write_text('import numpy as np\n' + first +
                      'print(solve(np.eye(2), np.ones(2)))\n'
                      'print(ProfileManager.get_region("solver").num_calls)\n'
                      'ProfileManager.setup(verbose=False, flush_to_disk=False)\n'
                      'solve(np.eye(2), np.ones(2))\n'
                      'print(ProfileManager.get_region("solver").num_calls)\n')
    result = subprocess.run([sys.executable, str(script)], capture_output=True,
                            text=True, cwd=tmp_path, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    # The function runs as written; as in the Python package nothing is
    # recorded before setup(), which re-binds the decorated function.
    assert result.stdout.split()[-2:] == ['0', '1']
    assert sorted(p.name for p in tmp_path.iterdir()) == ['first_snippet.py']
