#!/usr/bin/env bash
# make bench: a single-member kvraft and a single-member real etcd 3.4 (v2 on,
# data on disk) side by side on loopback, driven by the same wrk load: PUT
# (form bodies, bench/put.lua) and GET, at 1, 16 and 64 connections, 5 s a
# point, etcd and kvraft in turn for each row. Prints one table: req/s, p50 /
# p99 latency and server CPU per request (utime+stime from /proc/PID/stat over
# the run, so wrk's own CPU is not counted) for each, and the ratios
# kvraft/etcd of req/s and of CPU per request. kvraft shows n/a when its binary
# (KVRAFT_BIN, default build/bin/kvraft) is absent.
#
# Environment: KVRAFT_BIN, BENCH_DURATION (default 5s), BENCH_CONNECTIONS
# (default "1 16 64").
set -euo pipefail
cd "$(dirname "$0")/.."
KVRAFT_BIN=${KVRAFT_BIN:-$PWD/build/bin/kvraft}
DURATION=${BENCH_DURATION:-5s}
CONNECTIONS=${BENCH_CONNECTIONS:-1 16 64}
TICKS=$(getconf CLK_TCK)
TMP=$(mktemp -d /tmp/kvraft-bench.XXXXXX)  # /tmp is on disk here, not tmpfs
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# A port below the ephemeral range (32768+) that nothing listens on now.
free_port() {
  python3 -c 'import sys; sys.path.insert(0, "tests/integration"); import harness; print(harness.free_port())'
}

# start NAME BINARY [extra flags...]: starts a member; sets URL and PID.
start() {
  local name=$1 bin=$2; shift 2
  local cport pport
  cport=$(free_port); pport=$(free_port)
  URL=http://127.0.0.1:$cport
  "$bin" --name default --data-dir "$TMP/$name" \
    --listen-client-urls "$URL" --advertise-client-urls "$URL" \
    --listen-peer-urls "http://127.0.0.1:$pport" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "default=http://127.0.0.1:$pport" "$@" >"$TMP/$name.log" 2>&1 &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 200); do
    if curl -sf "$URL/health" >/dev/null 2>&1 &&
       curl -sf -XPUT "$URL/v2/keys/bench/k1" -d value=hello >/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "bench: $name did not start; its log:" >&2
  tail -5 "$TMP/$name.log" >&2
  return 1
}

# CPU ticks (user + system) the process has used so far. The fields after the
# command name, which may hold spaces, start at field 3 (state).
# Prints nothing once the process has ended (gone, or a zombie).
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  awk '$1 != "Z" { print $12 + $13 }' <<<"$stat"
}

# measure URL PID KIND CONNECTIONS: one wrk run; prints "req/s p50 p99 cpu_us"
# (latencies in ms; req/s marked * when some answers were not 2xx/3xx;
# "error" fields when wrk gave no figures, "died" when the server has ended).
measure() {
  local url=$1 pid=$2 kind=$3 conns=$4 threads=2 before after out target script=()
  [ "$conns" -lt "$threads" ] && threads=$conns
  target=$url/v2/keys/bench/k1
  [ "$kind" = PUT ] && { target=$url; script=(-s bench/put.lua); }
  before=$(cpu_ticks "$pid")
  out=$(wrk -t"$threads" -c"$conns" -d"$DURATION" --latency "${script[@]}" "$target" 2>&1) || true
  after=$(cpu_ticks "$pid")
  if [ -z "$before" ] || [ -z "$after" ]; then echo "died died died died"; return; fi
  awk -v ticks_per_s="$TICKS" -v cpu=$((after - before)) '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000
      return v * 60000  # minutes
    }
    /^Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = "*" }
    /requests in/ { n = $1 }
    END {
      if (rps == "" || n == 0) { print "error error error error"; exit }
      printf "%.0f%s %.2f %.2f %.0f\n", rps, bad, p50, p99, cpu * 1e6 / ticks_per_s / n
    }' <<<"$out"
}

start etcd etcd --enable-v2
etcd_url=$URL etcd_pid=$PID
kv_url="" kv_pid=""
if [ -x "$KVRAFT_BIN" ]; then
  if start kvraft "$KVRAFT_BIN"; then kv_url=$URL kv_pid=$PID; fi
else
  echo "bench: $KVRAFT_BIN not built: kvraft columns are n/a"
fi

# ratio A B: A/B with two decimals, n/a unless both are numbers.
ratio() {
  awk -v a="${1%\*}" -v b="${2%\*}" 'BEGIN {
    if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'
}

fmt='%-8s | %8s %8s %7s | %13s %13s | %6s %6s %7s\n'
printf "$fmt" "" "req/s" "req/s" "" "p50/p99 ms" "p50/p99 ms" "CPU/req" "CPU/req" ""
printf "$fmt" "load" "etcd" "kvraft" "kv/etcd" "etcd" "kvraft" "etcd" "kvraft" "kv/etcd"
for kind in PUT GET; do
  for conns in $CONNECTIONS; do
    read -r e_rps e_p50 e_p99 e_cpu <<<"$(measure "$etcd_url" "$etcd_pid" "$kind" "$conns")"
    k_rps=n/a k_p50=n/a k_p99=n/a k_cpu=n/a
    if [ -n "$kv_url" ]; then
      read -r k_rps k_p50 k_p99 k_cpu <<<"$(measure "$kv_url" "$kv_pid" "$kind" "$conns")"
    fi
    printf "$fmt" "$kind x$conns" "$e_rps" "$k_rps" "$(ratio "$k_rps" "$e_rps")" \
      "$e_p50/$e_p99" "$k_p50/$k_p99" "$e_cpu" "$k_cpu" "$(ratio "$k_cpu" "$e_cpu")"
  done
done
echo "(x N: N connections, $DURATION a point, one run each; *: some answers were not 2xx/3xx;"
echo " CPU/req: the server's own CPU in us per request. Runs drift between machines: compare ratios.)"
