#!/bin/sh
# run.sh: every benchmark with a target, one after the other, then the verdicts.
#
#   benchmarks/run.sh BUILD_DIR [--quick] [--reference PATH] [--dir DIR]
#
# BUILD_DIR is a configured and built meson build directory (ninja -C
# BUILD_DIR first). --quick runs each benchmark for a few seconds (a smoke
# test: its numbers mean nothing). --reference PATH points at a checkout of
# the pure-Python scope-profiler package for the Python ratio that needs
# it. --dir DIR puts the benchmarks' files in DIR (default: a temporary
# directory under $TMPDIR or /tmp) -- the write benchmark compares with
# write() to that same directory.
#
# Each benchmark prints its figures (min and median over repeats) and
# MET / NOT MET per target; the summary at the end repeats the verdicts.

set -u

if [ $# -lt 1 ] || [ ! -f "$1/build.ninja" ]; then
    echo "usage: $0 BUILD_DIR [--quick] [--reference PATH] [--dir DIR]" >&2
    exit 2
fi

build=$(cd "$1" && pwd)
shift
src=$(cd "$(dirname "$0")/.." && pwd)
quick=
reference=
dir=

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=--quick ;;
        --reference) reference=$2; shift ;;
        --dir) dir=$2; shift ;;
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

run() {
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

if command -v gjs > /dev/null; then
    run "gjs (target 3)" meson devenv -C "$build" gjs -m "$src/benchmarks/bench-gjs.js" $quick
else
    echo "gjs not found: target 3 not measured"
fi

run "Memory (target 4)" "$build/benchmarks/bench-memory" $quick "--dir=$dir/memory"
run "Writing (target 5)" "$build/benchmarks/bench-write" $quick "--dir=$dir/write"
run "Reading (target 6)" "$build/benchmarks/bench-read" $quick "--dir=$dir/read"
run "Python reader" meson devenv -C "$build" /usr/bin/python3 "$src/benchmarks/bench-reader.py" $quick --dir "$dir/read"

echo
echo "=== Summary"
grep -E 'target (<=|>=)' "$log" | sed -E 's/  +/ /g'
met=$(grep -c ': MET' "$log")
missed=$(grep -c ': NOT MET' "$log")
echo "$met targets MET, $missed NOT MET"

exit $status
