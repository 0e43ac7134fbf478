#!/usr/bin/env bash
# Runs fuzz targets built by `make fuzz-build`, one at a time, each on a fresh
# copy of its seed corpus (fuzz/corpus/<target>; the repository's copy is not
# changed), with its dictionary (fuzz/<target>.dict) when there is one.
# Prints per target the executions, exec/s and whether it ran clean, and ends
# with "N passed, M failed" (one per target). Exit status 0 only when all ran
# clean.
#
#   fuzz/run.sh BUILD_DIR TARGET...      (make fuzz: build/fuzz and every target)
#
# Environment: FUZZ_SECONDS per target and FUZZ_RUNS executions per target,
# whichever comes first; FUZZ_SECONDS defaults to 60, or to no limit when
# only FUZZ_RUNS is given.
# A crash, leak, sanitizer report, timeout (10 s on one input) or memory
# blow-up (2 GB) fails the target; its input is kept in
# BUILD_DIR/crashes/<target>/ and the output in BUILD_DIR/logs/<target>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=$1; shift
RUNS=${FUZZ_RUNS:-}
SECONDS_EACH=${FUZZ_SECONDS:-}
[ -z "$SECONDS_EACH" ] && { [ -n "$RUNS" ] && SECONDS_EACH=0 || SECONDS_EACH=60; }  # 0: no limit

pass=0
fail=0
for t in "$@"; do
  bin=$BUILD/bin/${t}_fuzz
  work=$BUILD/corpus/$t
  crashes=$BUILD/crashes/$t
  log=$BUILD/logs/$t.log
  rm -rf "$work"
  mkdir -p "$work" "$crashes" "$(dirname "$log")"
  [ -d "fuzz/corpus/$t" ] && cp -r "fuzz/corpus/$t/." "$work/"
  seeds=$(find "$work" -type f | wc -l)
  args=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
        -artifact_prefix="$crashes/")
  [ -n "$RUNS" ] && args+=(-runs="$RUNS")
  [ -f "fuzz/$t.dict" ] && args+=(-dict="fuzz/$t.dict")
  start=$(date +%s%N)
  "$bin" "${args[@]}" "$work" >"$log" 2>&1
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 + 1 ))
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  rate=$(( ${runs:-0} * 1000 / ms ))  # per wall-clock second, start-up included
  corpus=$(find "$work" -type f | wc -l)
  if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
    pass=$((pass + 1))
    printf '%-16s clean   %10s executions  %6s exec/s  corpus %s -> %s\n' "$t" "$runs" "$rate" "$seeds" "$corpus"
  else
    fail=$((fail + 1))
    printf '%-16s FAILED  %10s executions (exit %s); log %s\n' "$t" "${runs:-?}" "$rc" "$log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*check failed|artifact_prefix|Test unit written)' "$log" | head -8 | sed 's/^/    /'
    artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)
    [ -n "$artifact" ] && echo "    reproduce: $bin $artifact"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
