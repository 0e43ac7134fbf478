#!/usr/bin/env bash
# Runs every test part in order: doctest unit tests, a short run of every
# fuzz target (make fuzz, FUZZ_SECONDS=3 each: clang build in build/fuzz,
# incremental), integration tests, the
# v2 conformance suite (tests/conformance, plus the shared sample suite when it
# is beside the repository: tests/integration/conformance.py), the real-client tests
# and the container tests (compose files, image and deploy files, for real on
# dockerds in network namespaces). Prints a summary per
# part and ends with one line "N passed, M failed" (sum over all parts; a part
# that crashes or cannot start counts as one failure). Exit status 0 only when
# nothing failed.
#
#   tests/run_all.sh BUILD_DIR        (make test: build, make asan: build/asan)
#
# Environment: KVRAFT_BIN, KVRAFTCTL_BIN, KVRAFT_AGENT_BIN (default: the binaries
# in BUILD_DIR/bin), KVRAFT_TEST_TARGET=etcd
# (run the server tests against real etcd), CONFORMANCE_DIR (the optional
# shared sample suite; default ../shared/conformance from the repo root).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
case $BUILD_DIR in /*) build_abs=$BUILD_DIR ;; *) build_abs=$PWD/$BUILD_DIR ;; esac
export KVRAFT_BIN=${KVRAFT_BIN:-$build_abs/bin/kvraft}
export KVRAFTCTL_BIN=${KVRAFTCTL_BIN:-$build_abs/bin/kvraftctl}
export KVRAFT_AGENT_BIN=${KVRAFT_AGENT_BIN:-$build_abs/bin/kvraft-agent}
PY=/usr/bin/python3                 # Debian's, which has python3-etcd
[ -x "$PY" ] || PY=python3
LOG_DIR=$(mktemp -d /tmp/kvraft-tests.XXXXXX)
trap 'rm -rf "$LOG_DIR"' EXIT

total_pass=0
total_fail=0
summary=()

# run_part NAME KIND TIMEOUT CMD...: runs CMD, shows its output, counts results.
# KIND says how to read the counts: doctest or plain ("N passed, M failed").
run_part() {
  local name=$1 kind=$2 limit=$3; shift 3
  local out="$LOG_DIR/$name.log" rc pass fail line
  echo "=== $name: $*"
  timeout --kill-after=10 "$limit" "$@" >"$out" 2>&1
  rc=$?
  cat "$out"
  if [ "$kind" = doctest ]; then
    line=$(grep -E '^\[doctest\] test cases:' "$out" | tail -1)
    pass=$(sed -nE 's/.*\| *([0-9]+) passed.*/\1/p' <<<"$line")
    fail=$(sed -nE 's/.*\| *([0-9]+) failed.*/\1/p' <<<"$line")
  else
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    pass=$(sed -nE 's/^([0-9]+) passed.*/\1/p' <<<"$line")
    fail=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/p' <<<"$line")
  fi
  if [ -z "$pass" ] || [ -z "$fail" ]; then
    pass=0; fail=1
    echo "$name: no result line (exit $rc): counted as one failure"
  elif [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
    fail=1
    echo "$name: exit $rc although nothing failed: counted as one failure"
  fi
  [ "$rc" -eq 124 ] && echo "$name: timed out after ${limit}s"
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  summary+=("$(printf '%-12s passed=%-4s failed=%s' "$name" "$pass" "$fail")")
}

if [ -x "$BUILD_DIR/bin/unit_tests" ]; then
  run_part unit doctest 120 "$BUILD_DIR/bin/unit_tests"
else
  echo "=== unit: $BUILD_DIR/bin/unit_tests missing"
  total_fail=$((total_fail + 1)); summary+=("unit         missing binary: counted as one failure")
fi
run_part fuzz plain 300 make --no-print-directory fuzz FUZZ_SECONDS=3
run_part integration plain 420 "$PY" tests/integration/run.py --jobs 3 --budget 390 --exclude '^clients\.'
run_part conformance plain 400 "$PY" tests/integration/conformance.py
run_part clients plain 80 "$PY" tests/integration/run.py --budget 70 --only '^clients\.'
run_part containers plain 240 "$PY" tests/containers/run.py --bin-dir "$(dirname "$KVRAFT_BIN")"

echo "=== summary (server under test: ${KVRAFT_TEST_TARGET:-kvraft})"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
