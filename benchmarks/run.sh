#!/bin/sh
# run.sh: every benchmark with a target, one after the other, then the verdicts.
#
#   benchmarks/run.sh BUILD_DIR [--quick] [--reference PATH] [--dir DIR] [--only WORD]
#
# BUILD_DIR is a configured and built meson build directory (ninja -C
# BUILD_DIR first). --quick runs each benchmark for a few seconds (a smoke
# test: its numbers mean nothing). --reference PATH points at a checkout of
# the pure-Python scope-profiler package for the Python ratio that needs
# it. --dir DIR puts the benchmarks' files in DIR (default: a temporary
# directory under $TMPDIR or /tmp) -- the write benchmark compares with
# write() to that same directory. --only WORD runs only the benchmarks
# whose title (the "=== " lines) contains WORD (case-insensitive), e.g.
# --only recursive.
#
# bench-run.py also runs on the `python3` first on PATH when that is
# another CPython >= 3.11.4 than /usr/bin/python3 (the tracer's eval-frame
# hook; Debian's 3.11.2 gets the profile hook): the package is built as a
# wheel the way the README's "Installing the Python package with pip" says
# (pip wheel --no-build-isolation, with that python when it imports
# meson-python, else with /usr/bin/python3 when both are the same 3.x),
# installed into a bare venv of that python in DIR/python-on-path, and
# bench-run.py runs with the venv's python in a clean environment. The
# wheel and the venv are kept there and reused while the sources the wheel
# is built from are unchanged (use --dir for that; the build directory is
# kept too, so a rebuild compiles what changed); --quick measures this only
# with such a wheel already built (a first build takes a minute or more).
#
# Each benchmark prints its figures (min and median over repeats) and
# MET / NOT MET per target; the summary at the end repeats the verdicts.

set -u

if [ $# -lt 1 ] || [ ! -f "$1/build.ninja" ]; then
    echo "usage: $0 BUILD_DIR [--quick] [--reference PATH] [--dir DIR] [--only WORD]" >&2
    exit 2
fi

build=$(cd "$1" && pwd)
shift
src=$(cd "$(dirname "$0")/.." && pwd)
quick=
reference=
dir=
only=

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=--quick ;;
        --reference) reference=$2; shift ;;
        --dir) dir=$2; shift ;;
        --only) only=$2; shift ;;
        *) echo "$0: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/sp-bench-XXXXXX")
    cleanup=$dir
else
    mkdir -p "$dir"
    cleanup=
fi

mkdir -p "$dir/memory" "$dir/write" "$dir/read"
log=$(mktemp "${TMPDIR:-/tmp}/sp-bench-log-XXXXXX")
trap 'rm -f "$log" "$log.rc"; [ -n "$cleanup" ] && rm -rf "$cleanup"' EXIT INT TERM

status=0

# selected TITLE: whether --only lets that benchmark run.
selected() {
    [ -z "$only" ] || printf '%s\n' "$1" | grep -qiF -- "$only"
}

run() {
    selected "$1" || return 0
    echo
    echo "=== $1"
    shift
    { "$@" 2>&1; echo $? > "$log.rc"; } | tee -a "$log"
    if [ "$(cat "$log.rc")" != 0 ]; then
        echo "FAILED: $*"
        status=1
    fi
}

echo "scope-profiler benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(uname -srm), $(nproc) CPUs"
echo "build: $build  files: $dir"

run "C hot path (target 1)" "$build/benchmarks/bench-hot-path" $quick

python_args="$quick"
[ -n "$reference" ] && python_args="$python_args --reference $reference"
run "Python (target 2)" meson devenv -C "$build" /usr/bin/python3 "$src/benchmarks/bench-python.py" $python_args
run "Python recursive profiling and run" meson devenv -C "$build" /usr/bin/python3 "$src/benchmarks/bench-run.py" $python_args

# The python3 on PATH (pyenv's, a venv's...) when it is another CPython
# >= 3.11.4: bench-run.py in a bare venv of it with the package installed
# from a wheel (see the top of this file).
# source_stamp TREE: a hash of the files the wheel is built from.
source_stamp() {
    { echo "$builder $minor"
      cd "$1" && find scope-profiler bindings tool meson.build meson_options.txt \
          pyproject.toml -type f ! -path '*/__pycache__/*' | LC_ALL=C sort |
          xargs sha256sum; } | sha256sum | cut -d' ' -f1
}

path_python_bench() {
    pdir=$dir/python-on-path
    py=$(command -v python3 || true)
    if [ -z "$py" ]; then
        echo "skipped: no python3 on PATH"
        return 0
    fi
    # The interpreter behind it (pyenv's shims are scripts).
    exe=$(env -u PYTHONPATH "$py" -c 'import sys; print(sys.executable)' 2>/dev/null) || exe=
    if [ -z "$exe" ]; then
        echo "skipped: $py does not run"
        return 0
    fi
    info=$(env -u PYTHONPATH "$exe" -c 'import platform, sys
print(platform.python_implementation(), sys.version.split()[0],
      "%d.%d" % sys.version_info[:2], int(sys.version_info >= (3, 11, 4)))')
    set -- $info
    impl=$1 version=$2 minor=$3 frame=$4
    if [ "$(readlink -f "$exe")" = "$(readlink -f /usr/bin/python3)" ]; then
        echo "skipped: python3 on PATH is /usr/bin/python3 ($version), measured above"
        return 0
    fi
    if [ "$impl" != CPython ] || [ "$frame" != 1 ]; then
        echo "skipped: python3 on PATH ($exe) is $impl $version, not CPython >= 3.11.4"
        return 0
    fi
    echo "python3 on PATH: $exe, $impl $version"

    # Who builds the wheel: that python itself when it imports
    # meson-python (pip install . as its users run it), else Debian's
    # python3 for the same 3.x (the README's bare-venv recipe).
    if env -u PYTHONPATH "$exe" -c 'import mesonpy' 2>/dev/null; then
        builder=$exe
    elif [ "$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$minor" ] &&
         /usr/bin/python3 -c 'import mesonpy' 2>/dev/null; then
        builder=/usr/bin/python3
    else
        echo "skipped: neither $exe nor /usr/bin/python3 ($minor) can build the wheel offline (meson-python)"
        return 0
    fi

    # The wheel is reused while the files it is built from are the same
    # (the stamp kept is that of the copy it was built from).
    stamp=$(source_stamp "$src")
    wheel=
    if [ -f "$pdir/stamp" ] && [ "$(cat "$pdir/stamp")" = "$stamp" ]; then
        wheel=$(ls "$pdir"/dist/scope_profiler-*.whl 2>/dev/null | head -n 1)
    fi
    if [ -n "$wheel" ]; then
        echo "wheel: $wheel (built before from the same sources, reused)"
    elif [ -n "$quick" ]; then
        echo "skipped with --quick: no wheel built from these sources in $pdir (a build takes a minute or more; run without --quick, with --dir to keep it)"
        return 0
    else
        mkdir -p "$pdir"
        rm -rf "$pdir/source" "$pdir/dist" "$pdir/stamp"
        mkdir -p "$pdir/source"
        # A copy of the tree without build directories or git data (the
        # build writes into its source directory); tar keeps the times, so
        # the kept build directory rebuilds only what changed.
        (cd "$src" && tar --exclude='./build*' --exclude=./.git --exclude='.mesonpy*' \
             --exclude=__pycache__ -cf - .) | tar -C "$pdir/source" -xf - || return 1
        stamp=$(source_stamp "$pdir/source")
        echo "building the wheel with $builder (pip wheel --no-build-isolation --no-deps)"
        t0=$(date +%s)
        (cd "$pdir" && env -u PYTHONPATH -u LD_LIBRARY_PATH "$builder" -m pip wheel \
             --no-build-isolation --no-deps --no-index -q -w "$pdir/dist" \
             --config-settings "builddir=$pdir/build" --config-settings compile-args=-j2 \
             "$pdir/source") > "$pdir/wheel.log" 2>&1 || {
            tail -n 30 "$pdir/wheel.log"
            echo "the wheel build failed (log: $pdir/wheel.log)"
            return 1
        }
        wheel=$(ls "$pdir"/dist/scope_profiler-*.whl | head -n 1)
        echo "$stamp" > "$pdir/stamp"
        echo "wheel: $wheel (built in $(( $(date +%s) - t0 )) s)"
    fi

    # A bare venv (no system site packages) of that python with the wheel
    # installed; kept while the wheel and the python are the same (making
    # one takes ~10 s here).
    if [ "$(cat "$pdir/venv/sp-installed" 2>/dev/null)" != "$stamp $exe" ]; then
        rm -rf "$pdir/venv"
        env -u PYTHONPATH "$exe" -m venv "$pdir/venv" || return 1
        env -u PYTHONPATH -u PIP_REQUIRE_VIRTUALENV "$pdir/venv/bin/python" -m pip install -q \
            --no-index --no-deps "$wheel" || return 1
        echo "$stamp $exe" > "$pdir/venv/sp-installed"
    fi
    # As a user's shell would run it: nothing of the build tree.
    (cd "$pdir" && env -u PYTHONPATH -u LD_LIBRARY_PATH -u GI_TYPELIB_PATH \
         "$pdir/venv/bin/python" "$src/benchmarks/bench-run.py" $quick)
}

run "Python recursive profiling and run, python3 on PATH in a venv" path_python_bench

if command -v gjs > /dev/null; then
    run "gjs (target 3)" meson devenv -C "$build" gjs -m "$src/benchmarks/bench-gjs.js" $quick
elif selected "gjs (target 3)"; then
    echo "gjs not found: target 3 not measured"
fi

run "Memory (target 4)" "$build/benchmarks/bench-memory" $quick "--dir=$dir/memory"
run "Writing (target 5)" "$build/benchmarks/bench-write" $quick "--dir=$dir/write"
run "Reading (target 6)" "$build/benchmarks/bench-read" $quick "--dir=$dir/read"
# bench-read removes its (then empty) --dir when it is done.
mkdir -p "$dir/read"
run "Python reader" meson devenv -C "$build" /usr/bin/python3 "$src/benchmarks/bench-reader.py" $quick --dir "$dir/read"

echo
echo "=== Summary"
grep -E 'target (<=|>=)' "$log" | sed -E 's/  +/ /g'
met=$(grep -c ': MET' "$log")
missed=$(grep -c ': NOT MET' "$log")
echo "$met targets MET, $missed NOT MET"

exit $status
