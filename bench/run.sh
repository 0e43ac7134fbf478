#!/usr/bin/env bash
# make bench: a single-member kvraft and a single-member real etcd 3.4 (v2 on,
# data on disk) side by side on loopback, driven by the same wrk load: PUT
# (form bodies, bench/put.lua) and GET, at 16 and 64 connections, 5 s a point.
# Prints one table with req/s for each and the ratio kvraft/etcd; kvraft shows
# n/a when its binary (KVRAFT_BIN, default build/bin/kvraft) is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
KVRAFT_BIN=${KVRAFT_BIN:-$PWD/build/bin/kvraft}
DURATION=${BENCH_DURATION:-5s}
TMP=$(mktemp -d /tmp/kvraft-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import sys; sys.path.insert(0, "tests/integration"); import harness; print(harness.free_port())'
}

# start NAME BINARY [extra flags...]: starts a member, prints its client URL.
start() {
  local name=$1 bin=$2; shift 2
  local cport pport url
  cport=$(free_port); pport=$(free_port)
  url=http://127.0.0.1:$cport
  "$bin" --name default --data-dir "$TMP/$name" \
    --listen-client-urls "$url" --advertise-client-urls "$url" \
    --listen-peer-urls "http://127.0.0.1:$pport" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
    --initial-cluster "default=http://127.0.0.1:$pport" "$@" >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do
    if curl -sf "$url/health" >/dev/null 2>&1; then
      curl -sf -XPUT "$url/v2/keys/bench/k1" -d value=hello >/dev/null && { echo "$url"; return; }
    fi
    sleep 0.1
  done
  echo "bench: $name did not start; its log:" >&2
  tail -5 "$TMP/$name.log" >&2
  return 1
}

# rate URL KIND CONNECTIONS: requests/s of one wrk run (non-2xx marked with *).
rate() {
  local url=$1 kind=$2 conns=$3 out rps
  if [ "$kind" = PUT ]; then
    out=$(wrk -t2 -c"$conns" -d"$DURATION" -s bench/put.lua "$url" 2>&1)
  else
    out=$(wrk -t2 -c"$conns" -d"$DURATION" "$url/v2/keys/bench/k1" 2>&1)
  fi
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  grep -q "Non-2xx" <<<"$out" && rps="$rps*"
  echo "${rps:-error}"
}

etcd_url=$(start etcd etcd --enable-v2)
kv_url=""
if [ -x "$KVRAFT_BIN" ]; then
  kv_url=$(start kvraft "$KVRAFT_BIN") || kv_url=""
else
  echo "bench: $KVRAFT_BIN not built: kvraft columns are n/a"
fi

printf '%-22s %12s %12s %12s\n' "load (${DURATION} each)" "etcd req/s" "kvraft req/s" "kvraft/etcd"
for kind in PUT GET; do
  for conns in 16 64; do
    e=$(rate "$etcd_url" "$kind" "$conns")
    if [ -n "$kv_url" ]; then
      k=$(rate "$kv_url" "$kind" "$conns")
      ratio=$(awk -v k="${k%\*}" -v e="${e%\*}" 'BEGIN { if (e > 0 && k ~ /^[0-9]+$/) printf "%.2f", k / e; else print "n/a" }')
    else
      k=n/a; ratio=n/a
    fi
    printf '%-22s %12s %12s %12s\n' "$kind, $conns connections" "$e" "$k" "$ratio"
  done
done
echo "(* = some answers were not 2xx/3xx; one run per point, compare ratios only)"
