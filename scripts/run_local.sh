#!/usr/bin/env bash
# `make run`: one kvraft member in the foreground on 127.0.0.1:2379 (client)
# and :2380 (peer), its data in ./default.kvraft (etcd's default name is
# "default"). Ctrl-C stops it; the data stays for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/bin/kvraft
echo "kvraft: client http://127.0.0.1:2379  peer http://127.0.0.1:2380  data ./default.kvraft"
echo "try:    curl -L http://127.0.0.1:2379/v2/keys/message -XPUT -d value='Hello world'"
exec "$bin" --name default --data-dir default.kvraft \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster default=http://127.0.0.1:2380
