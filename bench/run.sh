#!/usr/bin/env bash
# make bench: a 3-member kvraft cluster and a 3-member real etcd 3.4 cluster
# (v2 on, data on disk, fsync on: etcd's default) side by side on loopback,
# driven by the same wrk load, etcd and kvraft in turn for each row, 5 s a
# run, each point the median of BENCH_REPEAT (3) runs. This VM's disk stalls
# now and then, 30 ms to 1 s for every process at once, with or without
# load, and wrk's coordinated-omission correction turns one stall of S ms in
# a 5 s run into a p99 of about S - 50 ms for whichever system it hits. So a
# probe (bench/disk_probe.py) fdatasyncs 4 KB every 10 ms beside the
# servers, and a run during which its fdatasyncs stalled for BENCH_STALL_MS
# (50) ms or more in all is taken again, up to BENCH_RETAKES (6) more runs
# per point and system, by the same rule for both. Even a stall below
# BENCH_STALL_MS sets a run's p99 (1% of a 5 s run is 50 ms), so runs are
# also taken again, in the same budget, until REPEAT are quiet (the probe
# saw no stall in them). A point's req/s, p50 and CPU are the medians of
# REPEAT clean runs; its p99 the median over its quiet runs, or without
# one over its least stalled (chosen by the probe, never by the p99
# itself), for etcd as for kvraft; a point still short of clean or quiet
# runs after the retakes is marked ~. Prints one table with the ratios
# kvraft/etcd:
#   - PUT (form bodies, bench/put.lua) to the leader at 1, 16 and 64
#     connections, and at 64 through a follower;
#   - GET and GET ?quorum=true to the leader at 16 and 64 connections;
#   - req/s, p50 / p99 latency, server CPU per request (utime+stime from
#     /proc/PID/stat, summed over the 3 members, so wrk's own CPU is not
#     counted);
#   - peak RSS (VmHWM) of each member after the load;
#   - leader failover: kill -9 of the leader until a PUT through another
#     member succeeds (both with --election-timeout 1000, heartbeat 100);
#     median of FAILOVER_ROUNDS rounds (etcd and kvraft in turn), the
#     killed member restarted after each.
# Then a single member of each (PUT and GET at 64 connections, runs taken
# the same way), and which targets of issue 3 are met. Then v2 auth on those
# single members (issue 14): a user with read/write on /bench/*, auth on,
# and GET as that user at 64 connections (AGET: etcd pays a bcrypt each
# request), and at 16 connections without and with 64 more connections
# sending a new wrong password each request (AGETF, bench/wrong_password.lua),
# for the p99 of the others; which targets of issue 14 are met. kvraft shows n/a when its
# binary (KVRAFT_BIN, default build/bin/kvraft) is absent.
#
# Environment: KVRAFT_BIN, BENCH_DURATION (default 5s), BENCH_REPEAT
# (default 3), BENCH_STALL_MS (50), BENCH_RETAKES (6), BENCH_ROWS (a
# comma-separated subset of the row names, e.g. "PUT x16,PUT x64 f"),
# FAILOVER_ROUNDS (default 7; 0 skips failover), BENCH_SINGLE (0 skips the
# single-member rows), BENCH_AUTH (0 skips the auth rows; they need the
# single members).
set -euo pipefail
cd "$(dirname "$0")/.."
KVRAFT_BIN=${KVRAFT_BIN:-$PWD/build/bin/kvraft}
DURATION=${BENCH_DURATION:-5s}
REPEAT=${BENCH_REPEAT:-3}
STALL_MS=${BENCH_STALL_MS:-50}
RETAKES=${BENCH_RETAKES:-6}
TICKS=$(getconf CLK_TCK)
ELECTION_MS=1000
HEARTBEAT_MS=100
FAILOVER_ROUNDS=${FAILOVER_ROUNDS:-7}
TMP=$(mktemp -d /tmp/kvraft-bench.XXXXXX)  # /tmp is on disk here, not tmpfs
ALL_PIDS=()
cleanup() {
  for pid in "${ALL_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${ALL_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT
mkdir "$TMP/probe"
python3 bench/disk_probe.py "$TMP/probe" &
ALL_PIDS+=($!)

# reserve_ports COUNT FILE: reserves COUNT loopback ports below the
# ephemeral range (tests/ports.py: no test or other bench running beside this
# one gets them) and writes them to FILE on one line. A holder process keeps
# them until the bench ends.
reserve_ports() {
  python3 tests/ports.py "$1" >"$2" &
  ALL_PIDS+=($!)
  for _ in $(seq 100); do
    [ -s "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# start_cluster NAME BINARY [N]: starts N members (3); sets URLS (client URLs), PIDS
# (member i of URLS is PIDS[i]), LEADER (index of the leader) and CMD_NAME_i (the
# command line of member i, for start_member).
start_cluster() {
  local name=$1 bin=$2 n=${3:-3} ports=() cluster="" i
  reserve_ports $((2 * n)) "$TMP/ports-$name" && read -r -a ports <"$TMP/ports-$name"
  [ "${#ports[@]}" -eq $((2 * n)) ] || { echo "bench: no free ports" >&2; return 1; }
  for ((i = 0; i < n; i++)); do
    cluster+="${cluster:+,}m$i=http://127.0.0.1:${ports[$((2 * i + 1))]}"
  done
  URLS=() PIDS=()
  for ((i = 0; i < n; i++)); do
    local c=${ports[$((2 * i))]} p=${ports[$((2 * i + 1))]}
    URLS+=("http://127.0.0.1:$c")
    declare -g -a "CMD_${name}_$i"
    local -n cmd="CMD_${name}_$i"
    cmd=("$bin" --name "m$i" --data-dir "$TMP/$name$i"
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c"
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p"
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$name"
      --election-timeout "$ELECTION_MS" --heartbeat-interval "$HEARTBEAT_MS" --enable-v2)
    unset -n cmd
    start_member "$name" "$i"
  done
  for _ in $(seq 300); do
    if LEADER=$(find_leader) &&
       curl -sf -m 2 -XPUT "${URLS[$LEADER]}/v2/keys/bench/k1" -d value=hello >/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "bench: $name cluster did not start; its logs:" >&2
  for ((i = 0; i < n; i++)); do tail -5 "$TMP/$name$i.log" >&2; done
  return 1
}

# start_member NAME I: (re)starts member I of cluster NAME (the current
# one: PIDS) from CMD_NAME_I.
start_member() {
  local -n cmd="CMD_$1_$2"
  "${cmd[@]}" >>"$TMP/$1$2.log" 2>&1 &
  PIDS[$2]=$!
  ALL_PIDS+=($!)
}

# Index in URLS of the member that says it leads; fails when none does.
find_leader() {
  local i
  for ((i = 0; i < ${#URLS[@]}; i++)); do
    if curl -sf -m 1 "${URLS[$i]}/v2/stats/self" 2>/dev/null | grep -q '"state":"StateLeader"'; then
      echo "$i"
      return 0
    fi
  done
  return 1
}

# CPU ticks (user + system) the processes have used so far, summed; prints
# nothing when one has ended (gone, or a zombie). The fields after the
# command name, which may hold spaces, start at field 3 (state).
cpu_ticks() {
  local pid stat total=0 t
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    t=$(awk '$1 != "Z" { print $12 + $13 }' <<<"$stat")
    [ -n "$t" ] || return 0
    total=$((total + t))
  done
  echo "$total"
}

# stall_ms T0 T1: ms the disk probe's fdatasyncs stalled between Unix times
# T0 and T1, once the probe has got past T1 (at most 3 s later; a probe
# still stuck then counts as stalled for that long).
stall_ms() {
  local hb=0
  for _ in $(seq 60); do
    hb=$(cat "$TMP/probe/heartbeat" 2>/dev/null || echo 0)
    awk -v hb="$hb" -v t="$2" 'BEGIN { exit !(hb + 0 >= t + 0) }' && break
    sleep 0.05
  done
  awk -v t0="$1" -v t1="$2" -v hb="$hb" -v now="$EPOCHREALTIME" '
    { s = ($1 > t0 ? $1 : t0); e = ($2 < t1 ? $2 : t1); if (e > s) sum += e - s }
    END {
      if (hb + 0 < t1 + 0) sum += now - (hb > t0 ? hb : t0)  # stuck since its last heartbeat
      printf "%.0f\n", sum * 1000
    }' "$TMP/probe/stalls" 2>/dev/null || echo 0
}

# Credentials of the auth rows: user bench, password benchpw.
BENCH_AUTH_HEADER="Authorization: Basic $(printf bench:benchpw | base64)"

# measure URL KIND CONNECTIONS PID...: one wrk run; prints "req/s p50 p99
# cpu_us stall_ms" (latencies in ms; req/s marked * when some answers were
# not 2xx/3xx; "error" when wrk gave no figures, "died" when a server
# ended; stall_ms: see stall_ms).
measure() {
  local url=$1 kind=$2 conns=$3 threads=2 before after out target script=() t0 t1 flood=""
  shift 3
  [ "$conns" -lt "$threads" ] && threads=$conns
  case $kind in
    PUT*) target=$url; script=(-s bench/put.lua) ;;
    GET) target=$url/v2/keys/bench/k1 ;;
    QGET) target="$url/v2/keys/bench/k1?quorum=true" ;;
    AGET | AGETF) target=$url/v2/keys/bench/k1; script=(-H "$BENCH_AUTH_HEADER") ;;
  esac
  if [ "$kind" = AGETF ]; then
    # 64 connections of wrong passwords, from a second before the run to after it.
    wrk -t1 -c64 -d"$(( ${DURATION%s} + 2 ))s" --timeout 10s -s bench/wrong_password.lua "$target" \
      >/dev/null 2>&1 &
    flood=$!
    sleep 1
  fi
  before=$(cpu_ticks "$@")
  t0=$EPOCHREALTIME
  out=$(wrk -t"$threads" -c"$conns" -d"$DURATION" --timeout 10s --latency "${script[@]}" "$target" 2>&1) || true
  t1=$EPOCHREALTIME
  after=$(cpu_ticks "$@")
  if [ -n "$flood" ]; then kill "$flood" 2>/dev/null || true; wait "$flood" 2>/dev/null || true; fi
  if [ -z "$before" ] || [ -z "$after" ]; then echo "died died died died 0"; return; fi
  awk -v ticks_per_s="$TICKS" -v cpu=$((after - before)) -v stall="$(stall_ms "$t0" "$t1")" '
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
      if (rps == "" || n == 0) { print "error error error error", stall; exit }
      printf "%.0f%s %.2f %.2f %.0f %d\n", rps, bad, p50, p99, cpu * 1e6 / ticks_per_s / n, stall
    }' <<<"$out"
}

# Peak RSS of each member in MB, "a/b/c".
peak_rss() {
  local pid out="" kb
  for pid in "$@"; do
    kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    out+="${out:+/}$(( ${kb:-0} / 1024 ))"
  done
  echo "$out"
}

# failover URL_OF_SURVIVOR LEADER_PID: kills the leader with SIGKILL and
# prints the ms until a PUT through the survivor succeeds (a new attempt
# every 20 ms, each with a 1 s timeout, so a server that holds a request
# while it has no leader is not penalised); "none" after 20 s.
failover() {
  python3 - "$1" "$2" <<'EOF'
import os, signal, sys, threading, time, urllib.request
url, pid = sys.argv[1], int(sys.argv[2])
done = threading.Event()
first = []
def attempt(n):
    req = urllib.request.Request(url + "/v2/keys/bench/failover", data=b"value=%d" % n,
                                 method="PUT",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=1) as r:
            if r.status < 300 and not done.is_set():
                first.append(time.monotonic())
                done.set()
    except Exception:
        pass
start = time.monotonic()
os.kill(pid, signal.SIGKILL)
n = 0
while not done.is_set() and time.monotonic() - start < 20:
    threading.Thread(target=attempt, args=(n,), daemon=True).start()
    n += 1
    done.wait(0.02)
print("%.0f" % ((first[0] - start) * 1000) if first else "none")
EOF
}

# failover_round NAME: kills the leader of cluster NAME (the current one:
# URLS, PIDS), measures (failover), restarts the killed member and lets it
# catch up; appends the time to FAILOVER_NAME (not in a subshell: the
# restarted members must stay known to cleanup).
failover_round() {
  local name=$1 leader="" t
  local -n times="FAILOVER_$name"
  for _ in $(seq 100); do leader=$(find_leader) && break; sleep 0.1; done
  [ -n "$leader" ] || return 0
  t=$(failover "${URLS[$(((leader + 1) % 3))]}" "${PIDS[$leader]}")
  wait "${PIDS[$leader]}" 2>/dev/null || true
  times+=("$t")
  start_member "$name" "$leader"
  for _ in $(seq 100); do
    curl -sf -m 1 "${URLS[$leader]}/v2/keys/bench/k1" >/dev/null 2>&1 && find_leader >/dev/null && break
    sleep 0.1
  done
  sleep 1  # settled: the restarted member follows, heartbeats flow
}

# median V...: the middle value ("none" without values; "none" sorts last).
median() {
  [ $# -gt 0 ] || { echo none; return; }
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# median_runs: lines of measure's output, one per run -> "req/s p50 p99
# cpu_us", the median of each column on its own; req/s keeps a * when any
# run had one; a run that gave "error" or "died" makes the point that word.
median_runs() {
  awk 'NF == 5 {
      if ($1 ~ /^(error|died)$/) bad = $1
      if ($1 ~ /\*$/) star = "*"
      n++; for (c = 1; c <= 4; c++) { v = $c; sub(/\*$/, "", v); col[c, n] = v + 0 }
    }
    END {
      if (bad != "" || n == 0) { print (bad != "" ? bad : "error"), "-", "-", "-"; exit }
      for (c = 1; c <= 4; c++) {
        for (i = 1; i <= n; i++) a[i] = col[c, i]
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        m[c] = a[int((n + 1) / 2)]
      }
      printf "%.0f%s %.2f %.2f %.0f\n", m[1], star, m[2], m[3], m[4]
    }'
}

# quiet_runs RUN...: the runs with the least stall of all (the quiet ones
# when there are any), for the p99.
quiet_runs() {
  printf '%s\n' "$@" | awk 'NF == 5 && $1 !~ /^(error|died)$/ { run[++n] = $0; st[n] = $5; if (n == 1 || $5 < least) least = $5 }
    END { for (i = 1; i <= n; i++) if (st[i] == least) print run[i] }'
}

# clean RUN: whether measure's output RUN saw less than STALL_MS of stalls;
# quiet RUN: whether it saw none.
clean() { awk -v max="$STALL_MS" '{ exit !($5 < max) }' <<<"$1"; }
quiet() { awk '{ exit !($5 == 0) }' <<<"$1"; }

# take_run SYSTEM URL KIND CONNS PID...: one more run of SYSTEM (e or k),
# appended to RUNS_SYSTEM; CLEAN_SYSTEM counts the clean ones, QUIET_SYSTEM
# those without any stall.
take_run() {
  local -n runs="RUNS_$1" n_clean="CLEAN_$1" n_quiet="QUIET_$1"
  local r
  shift
  r=$(measure "$@")
  runs+=("$r")
  if clean "$r"; then n_clean=$((n_clean + 1)); fi
  if quiet "$r"; then n_quiet=$((n_quiet + 1)); fi
}

# needs SYSTEM: whether SYSTEM still lacks clean or quiet runs.
needs() {
  local -n n_clean="CLEAN_$1" n_quiet="QUIET_$1"
  [ "$n_clean" -lt "$REPEAT" ] || [ "$n_quiet" -lt "$REPEAT" ]
}

# pick_runs RUN...: the first REPEAT clean runs in the order taken; when
# there are fewer, the least stalled of the others fill up.
pick_runs() {
  local r picked=0
  for r in "$@"; do
    if [ "$picked" -lt "$REPEAT" ] && clean "$r"; then echo "$r"; picked=$((picked + 1)); fi
  done
  for r in "$@"; do clean "$r" || echo "$r"; done | sort -n -k5,5 | head -n $((REPEAT - picked))
}

# ratio A B: A/B with two decimals, n/a unless both are numbers.
ratio() {
  awk -v a="${1%\*}" -v b="${2%\*}" 'BEGIN {
    if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'
}

start_cluster etcd etcd
E_URLS=("${URLS[@]}") E_PIDS=("${PIDS[@]}") E_LEADER=$LEADER
K_URLS=() K_PIDS=() K_LEADER=""
if [ -x "$KVRAFT_BIN" ]; then
  if start_cluster kvraft "$KVRAFT_BIN"; then K_URLS=("${URLS[@]}") K_PIDS=("${PIDS[@]}") K_LEADER=$LEADER; fi
else
  echo "bench: $KVRAFT_BIN not built: kvraft columns are n/a"
fi

# Results by row name, for the table and the targets.
declare -A E K
RETAKEN_e=0 RETAKEN_k=0
ROWS=("PUT x1" "PUT x16" "PUT x64" "PUT x64 f" "GET x16" "GET x64" "QGET x16" "QGET x64")
[ -n "${BENCH_ROWS:-}" ] && IFS=, read -r -a ROWS <<<"$BENCH_ROWS"
fmt='%-10s | %8s %8s %7s | %13s %13s | %7s %7s %7s\n'
printf "$fmt" "" "req/s" "req/s" "" "p50/p99 ms" "p50/p99 ms" "CPU/req" "CPU/req" ""
printf "$fmt" "load" "etcd" "kvraft" "kv/etcd" "etcd" "kvraft" "etcd" "kvraft" "kv/etcd"
# run_point ROW KIND CONNS E_URL E_PIDS K_URL K_PIDS: runs of etcd and
# kvraft (the PIDS are names of arrays), in turn while both need runs, then
# whichever still lacks clean or quiet ones (needs); prints the row and keeps its figures
# in E[ROW] and K[ROW]. K_URL empty: kvraft's columns are n/a.
run_point() {
  local row=$1 kind=$2 conns=$3 e_url=$4 k_url=$6 attempt
  local -n e_pids=$5 k_pids=$7
  RUNS_e=() RUNS_k=() CLEAN_e=0 QUIET_e=0 CLEAN_k=$REPEAT QUIET_k=$REPEAT
  [ -n "$k_url" ] && CLEAN_k=0 QUIET_k=0
  for ((attempt = 0; attempt < REPEAT + RETAKES; attempt++)); do
    needs e || needs k || break
    needs e && take_run e "$e_url" "$kind" "$conns" "${e_pids[@]}"
    needs k && take_run k "$k_url" "$kind" "$conns" "${k_pids[@]}"
  done
  RETAKEN_e=$((RETAKEN_e + ${#RUNS_e[@]} - REPEAT))
  local e_rps e_p50 e_p99 e_cpu e_mark k_rps=n/a k_p50=n/a k_p99=n/a k_cpu=n/a k_mark=""
  read -r e_rps e_p50 _ e_cpu <<<"$(pick_runs "${RUNS_e[@]}" | median_runs)"
  read -r _ _ e_p99 _ <<<"$(quiet_runs "${RUNS_e[@]}" | median_runs)"
  e_mark=$(needs e && echo "~" || true)
  if [ -n "$k_url" ]; then
    RETAKEN_k=$((RETAKEN_k + ${#RUNS_k[@]} - REPEAT))
    read -r k_rps k_p50 _ k_cpu <<<"$(pick_runs "${RUNS_k[@]}" | median_runs)"
    read -r _ _ k_p99 _ <<<"$(quiet_runs "${RUNS_k[@]}" | median_runs)"
    k_mark=$(needs k && echo "~" || true)
  fi
  E[$row]="$e_rps $e_p50 $e_p99 $e_mark" K[$row]="$k_rps $k_p50 $k_p99 $k_mark"
  printf "$fmt" "$row" "$e_rps" "$k_rps" "$(ratio "$k_rps" "$e_rps")" \
    "$e_p50/$e_p99$e_mark" "$k_p50/$k_p99$k_mark" "$e_cpu" "$k_cpu" "$(ratio "$k_cpu" "$e_cpu")"
}

for row in "${ROWS[@]}"; do
  read -r kind conns via <<<"$row"
  e_member=$E_LEADER k_member=$K_LEADER k_url=""
  if [ "${via:-}" = f ]; then e_member=$(((E_LEADER + 1) % 3)); k_member=$(((K_LEADER + 1) % 3)); fi
  [ -n "$K_LEADER" ] && k_url=${K_URLS[$k_member]}
  run_point "$row" "$kind" "${conns#x}" "${E_URLS[$e_member]}" E_PIDS "$k_url" K_PIDS
done

e_rss=$(peak_rss "${E_PIDS[@]}") k_rss=n/a
[ -n "$K_LEADER" ] && k_rss=$(peak_rss "${K_PIDS[@]}")
max_of() { tr / '\n' <<<"$1" | sort -n | tail -1; }
printf "$fmt" "RSS MB" "" "" "$(ratio "$(max_of "$k_rss")" "$(max_of "$e_rss")")" "$e_rss" "$k_rss" "" "" ""

# Failover rounds alternate between the clusters, so a busy moment of the
# machine does not fall on one of them only.
FAILOVER_etcd=() FAILOVER_kvraft=()
for ((r = 0; r < FAILOVER_ROUNDS; r++)); do
  URLS=("${E_URLS[@]}") PIDS=("${E_PIDS[@]}")
  failover_round etcd
  E_PIDS=("${PIDS[@]}")
  if [ -n "$K_LEADER" ]; then
    URLS=("${K_URLS[@]}") PIDS=("${K_PIDS[@]}")
    failover_round kvraft
    K_PIDS=("${PIDS[@]}")
  fi
done
e_fail=n/a k_fail=n/a
if [ "$FAILOVER_ROUNDS" -gt 0 ]; then
  e_fail=$(median "${FAILOVER_etcd[@]}")
  [ -n "$K_LEADER" ] && k_fail=$(median "${FAILOVER_kvraft[@]}")
  printf "$fmt" "failover" "" "" "$(ratio "$k_fail" "$e_fail")" "$e_fail ms" "$k_fail ms" "" "" ""
  echo "failover rounds (ms): etcd ${FAILOVER_etcd[*]}; kvraft ${FAILOVER_kvraft[*]}"
fi
echo "(x N: N connections to the leader, f: through a follower; $DURATION a run, each point the"
echo " median of $REPEAT runs taken in turn (etcd, kvraft, etcd, ...), each column on its own,"
echo " p99 over the runs without a stall (or the least stalled);"
echo " runs taken again because the disk probe stalled >= ${STALL_MS} ms in them: etcd $RETAKEN_e,"
echo " kvraft $RETAKEN_k; ~: after $RETAKES retakes the point still lacks $REPEAT clean or quiet runs;"
echo " *: some answers were not 2xx/3xx; CPU/req: CPU of all 3 members in us per request;"
echo " RSS: peak per member; failover: kill -9 of the leader until a PUT through a follower"
echo " succeeds, median of $FAILOVER_ROUNDS, election timeout ${ELECTION_MS} ms. Runs drift between machines: compare ratios.)"

# Single members (issue 2's figure): one etcd and one kvraft member, PUT and
# GET at 64 connections.
if [ "${BENCH_SINGLE:-1}" != 0 ]; then
  kill -KILL "${E_PIDS[@]}" "${K_PIDS[@]}" 2>/dev/null || true
  wait "${E_PIDS[@]}" "${K_PIDS[@]}" 2>/dev/null || true
  echo "single member:"
  start_cluster etcd1 etcd 1
  S_E_URL=${URLS[0]} S_E_PIDS=("${PIDS[@]}")
  S_K_URL="" S_K_PIDS=()
  if [ -n "$K_LEADER" ] && start_cluster kvraft1 "$KVRAFT_BIN" 1; then S_K_URL=${URLS[0]} S_K_PIDS=("${PIDS[@]}"); fi
  RETAKEN_e=0 RETAKEN_k=0
  for kind in PUT GET; do
    run_point "$kind x64 1m" "$kind" 64 "$S_E_URL" S_E_PIDS "$S_K_URL" S_K_PIDS
  done
  echo "(runs taken again for stalls: etcd $RETAKEN_e, kvraft $RETAKEN_k)"
fi

# enable_auth URL: root, a role with read and write on /bench/*, user bench
# with it, auth on (as etcd's v2 API makes them, on etcd and kvraft alike),
# and one GET as bench.
enable_auth() {
  local j=(-sf -m 30 -XPUT -H "Content-Type: application/json")
  curl "${j[@]}" "$1/v2/auth/users/root" -d '{"user":"root","password":"rootpw"}' >/dev/null &&
  curl "${j[@]}" "$1/v2/auth/roles/bench" \
    -d '{"role":"bench","permissions":{"kv":{"read":["/bench/*"],"write":["/bench/*"]}}}' >/dev/null &&
  curl "${j[@]}" "$1/v2/auth/users/bench" -d '{"user":"bench","password":"benchpw","roles":["bench"]}' >/dev/null &&
  curl -sf -m 30 -XPUT "$1/v2/auth/enable" >/dev/null &&
  # bench's first login (kvraft checks the bcrypt once, then remembers it).
  curl -sf -m 30 -H "$BENCH_AUTH_HEADER" "$1/v2/keys/bench/k1" >/dev/null
}

# v2 auth on the single members (issue 14).
AUTH_ROWS=()
if [ "${BENCH_SINGLE:-1}" != 0 ] && [ "${BENCH_AUTH:-1}" != 0 ]; then
  echo "v2 auth on, single member (user bench; AGETF: while 64 more connections send wrong passwords):"
  enable_auth "$S_E_URL" || echo "bench: could not turn auth on in etcd" >&2
  if [ -n "$S_K_URL" ] && ! enable_auth "$S_K_URL"; then echo "bench: could not turn auth on in kvraft" >&2; S_K_URL=""; fi
  RETAKEN_e=0 RETAKEN_k=0
  AUTH_ROWS=("AGET x64 1m" "AGET x16 1m" "AGETF x16 1m")
  for row in "${AUTH_ROWS[@]}"; do
    read -r kind conns _ <<<"$row"
    run_point "$row" "$kind" "${conns#x}" "$S_E_URL" S_E_PIDS "$S_K_URL" S_K_PIDS
  done
  echo "(runs taken again for stalls: etcd $RETAKEN_e, kvraft $RETAKEN_k)"
fi

# Targets of issue 3.
rps() { local v=${1%% *}; echo "${v%\*}"; }
p99() { awk '{ print $3 }' <<<"$1"; }
target() {  # target NAME OK
  printf '  %-40s %s\n' "$1" "$([ "$2" = 1 ] && echo met || echo "NOT met")"
}
ge() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN { print (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a >= f * b) ? 1 : 0 }'; }
echo "targets (issue 3):"
# ratio_target NAME ROW FACTOR: kvraft's req/s at ROW >= FACTOR x etcd's.
ratio_target() {
  if [ -z "${K[$2]:-}" ]; then printf '  %-40s %s\n' "$1" "not run"; return; fi
  target "$1" "$(ge "$(rps "${K[$2]}")" "$(rps "${E[$2]}")" "$3")"
}
ratio_target "PUT x64 >= 2x etcd" "PUT x64" 2
ratio_target "quorum GET x64 >= 2x etcd" "QGET x64" 2
ratio_target "GET x64 >= 1.5x etcd" "GET x64" 1.5
p99_ok=1 worse=""
for row in "${ROWS[@]}"; do
  if [ "$(ge "$(p99 "${E[$row]}")" "$(p99 "${K[$row]}")" 1)" != 1 ]; then
    p99_ok=0
    mark=""
    [[ "${E[$row]} ${K[$row]}" == *"~"* ]] && mark=" ~"
    worse+=" [$row$mark]"
  fi
done
target "p99 never worse than etcd's${worse:+ (worse:$worse)}" "$p99_ok"
if [ "$FAILOVER_ROUNDS" -gt 0 ]; then
  target "failover no slower than etcd's" "$(ge "$e_fail" "$k_fail" 1)"
fi
if [ "${#AUTH_ROWS[@]}" -gt 0 ] && [ -n "${K[AGET x64 1m]:-}" ]; then
  echo "targets (issue 14):"
  target "auth GET x64 >= 0.8x kvraft's GET x64" "$(ge "$(rps "${K[AGET x64 1m]}")" "$(rps "${K[GET x64 1m]}")" 0.8)"
  ratio_target "auth GET x64 >= 100x etcd's auth GET" "AGET x64 1m" 100
  # p99 of the others under the flood within 2x of without it.
  target "GET p99 under a wrong-password flood <= 2x" \
    "$(ge "$(p99 "${K[AGET x16 1m]}")" "$(p99 "${K[AGETF x16 1m]}")" 0.5)"
fi
