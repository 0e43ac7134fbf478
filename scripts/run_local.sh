#!/usr/bin/env bash
# `make run`: a local 3-member kvraft cluster on loopback, laid out like etcd's
# Procfile (client 2379/22379/32379, peer 2380/22380/32380), data in
# ./infra{1,2,3}.kvraft. Ctrl-C stops all three; the data stays for next time.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/kvraft
cluster="infra1=http://127.0.0.1:2380,infra2=http://127.0.0.1:22380,infra3=http://127.0.0.1:32380"
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping members: ${pids[*]}"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT
for i in 1 2 3; do
  case $i in 1) c=2379 p=2380 ;; 2) c=22379 p=22380 ;; 3) c=32379 p=32380 ;; esac
  "$bin" --name "infra$i" --data-dir "infra$i.kvraft" \
    --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
    --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
    --initial-cluster-token etcd-cluster-1 --initial-cluster "$cluster" \
    --initial-cluster-state new > >(sed -u "s/^/infra$i | /") 2>&1 &
  pids+=($!)
done
echo "kvraft cluster: endpoints http://127.0.0.1:2379,http://127.0.0.1:22379,http://127.0.0.1:32379"
echo "try:    curl -L http://127.0.0.1:2379/v2/keys/message -XPUT -d value='Hello world'"
echo "        curl -L http://127.0.0.1:22379/v2/members"
wait
