#!/usr/bin/env bash
# run-ci.sh BUILD_DIR SECONDS
#
# The CI fuzz run: every libFuzzer target for SECONDS over its committed
# corpus (tests/fuzz/corpus/<target>), new inputs kept in a scratch
# directory. Fails if any target crashes, leaks, trips a sanitizer or an
# assertion; the reproducer is copied to BUILD_DIR/fuzz-artifacts/.
#
# fuzz-session (any byte of the file mutated) only replays its corpus here:
# mutated freely it soon reaches crashes inside libhdf5 1.10 itself (see
# tests/fuzz/README.md). Its structure-keeping twin, fuzz-session-values,
# is the one that fuzzes in CI.
#
# BUILD_DIR is a meson build dir configured with
#   CC=clang meson setup BUILD_DIR -Dfuzzing=true -Db_sanitize=address,undefined \
#     -Db_lundef=false -Dintrospection=disabled -Dviewer=disabled -Dmpi=disabled
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi

build="$(cd "$1" && pwd)"
seconds="$2"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
corpus="$here/corpus"
artifacts="$build/fuzz-artifacts"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

ninja -C "$build" tests/fuzz/fuzz-session tests/fuzz/fuzz-session-values tests/fuzz/fuzz-spill \
  tests/fuzz/fuzz-region-names tests/fuzz/fuzz-export >/dev/null || exit 1

# Sanitizer reports end the run; known findings in code owned elsewhere
# and leaks inside libhdf5 are listed, with reasons, in the .supp files.
# Full stacks on malloc so the libhdf5 leak suppression can match (libhdf5
# has no frame pointers). Huge allocations HDF5 attempts on damaged files
# fail as they would in production (NULL) instead of aborting; ours go
# through g_malloc(), which still aborts.
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/ubsan.supp"
export LSAN_OPTIONS="suppressions=$here/lsan.supp"
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:allocator_may_return_null=1"
export HDF5_USE_FILE_LOCKING=FALSE
export G_DEBUG=gc-friendly

common=(-timeout=60 -rss_limit_mb=2048 -malloc_limit_mb=1048576 -print_final_stats=1)
status=0
mkdir -p "$artifacts"

run() {
  local target="$1"; shift
  local log="$scratch/$target.log"
  local out="$scratch/$target.artifacts/"

  mkdir -p "$scratch/$target" "$out"
  echo "==> $target $*"
  if "$build/tests/fuzz/$target" "${common[@]}" -artifact_prefix="$out" "$@" >"$log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)|#[0-9]+[[:space:]]+DONE' "$log" | sed 's/^/    /'
  else
    status=1
    echo "---- $target FAILED ----"
    grep -E 'ERROR|SUMMARY|runtime error|assertion|FATAL|^ +#[0-9]+ ' "$log" | head -40
    cp -v "$out"* "$artifacts/" 2>/dev/null
  fi
}

run fuzz-session -runs=0 "$corpus/fuzz-session"
run fuzz-session-values -max_total_time="$seconds" "$scratch/fuzz-session-values" "$corpus/fuzz-session-values"
run fuzz-spill -max_total_time="$seconds" -max_len=4096 -dict="$here/spill.dict" \
  "$scratch/fuzz-spill" "$corpus/fuzz-spill"
run fuzz-region-names -max_total_time="$seconds" -max_len=4096 \
  "$scratch/fuzz-region-names" "$corpus/fuzz-region-names"
run fuzz-export -max_total_time="$seconds" "$scratch/fuzz-export" "$corpus/fuzz-export"

if [ "$status" != 0 ]; then
  echo "fuzzing found crashes; reproducers in $artifacts"
fi
exit "$status"
