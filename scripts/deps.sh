#!/usr/bin/env bash
# Installs the Debian packages kvraft builds and tests with, only those missing,
# so that a second run is silent and takes well under a second.
#
#   scripts/deps.sh          build, test and soak packages (make deps; the soak's
#                            chart needs python3-matplotlib)
#   scripts/deps.sh build    build packages only (the Dockerfile's build stage)
set -euo pipefail
pkgs=(
  g++ make pkg-config
  libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev libyaml-cpp-dev
  libc-ares-dev doctest-dev libboost-dev libssl-dev libjemalloc-dev libcrypt-dev
)
if [ "${1:-}" != build ]; then
  pkgs+=(
    etcd-server etcd-client python3 python3-etcd curl wrk dnsmasq-base iproute2 nftables
    docker.io docker-compose systemd
    clang libclang-rt-14-dev   # make fuzz (libFuzzer's runtime is in libclang-rt)
    python3-matplotlib
  )
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
