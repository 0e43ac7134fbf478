#include "common/server_flags.h"

#include <set>

namespace common {
namespace {

// Booleans include etcd's ignored legacy flags, which Go reads the same way.
const std::set<std::string>& BoolFlags() {
  static const std::set<std::string> kFlags = {
      "initial-election-tick-advance", "enable-pprof", "force-new-cluster",
      "strict-reconfig-check", "enable-v2", "enable-snapshot-endpoint", "pre-vote", "client-cert-auth", "auto-tls",
      "peer-client-cert-auth", "peer-auto-tls", "debug", "unsafe-no-fsync",
      "experimental-initial-corrupt-check", "experimental-enable-lease-checkpoint",
      "experimental-peer-skip-client-san-verification", "version", "cluster-active-size",
      "cluster-remove-delay", "cluster-sync-interval", "config", "force", "max-result-buffer",
      "max-retry-attempts", "peer-heartbeat-interval", "peer-election-timeout", "retry-interval",
      "snapshot", "v", "vv"};
  return kFlags;
}

const std::set<std::string>& ValueFlags() {
  static const std::set<std::string> kFlags = {
      "config-file", "name", "data-dir", "wal-dir", "snapshot-count",
      "experimental-snapshot-catchup-entries", "heartbeat-interval", "election-timeout",
      "listen-peer-urls", "listen-client-urls", "listen-metrics-urls", "max-snapshots", "max-wals",
      "quota-backend-bytes", "max-txn-ops", "max-request-bytes", "max-client-connections",
      "host-whitelist", "initial-advertise-peer-urls", "advertise-client-urls", "initial-cluster",
      "initial-cluster-state", "initial-cluster-token", "discovery", "discovery-srv",
      "discovery-srv-name", "discovery-fallback", "discovery-proxy", "proxy", "proxy-failure-wait",
      "proxy-refresh-interval", "proxy-dial-timeout", "proxy-write-timeout", "proxy-read-timeout",
      "proxy-max-watches",
      "cert-file", "key-file", "client-crl-file", "client-cert-allowed-hostname",
      "trusted-ca-file", "peer-cert-file", "peer-key-file", "peer-trusted-ca-file",
      "peer-cert-allowed-cn", "peer-cert-allowed-hostname", "peer-crl-file", "cipher-suites",
      "logger", "log-outputs", "log-level", "log-package-levels", "backend-batch-interval",
      "backend-batch-limit", "max-concurrent-streams", "grpc-keepalive-min-time",
      "grpc-keepalive-interval", "grpc-keepalive-timeout", "auto-compaction-retention",
      "auto-compaction-mode", "auth-token", "bcrypt-cost", "auth-token-ttl", "metrics",
      "experimental-corrupt-check-time", "experimental-enable-v2v3",
      "experimental-backend-bbolt-freelist-type", "experimental-compaction-batch-limit",
      "experimental-watch-progress-notify-interval", "experimental-warning-apply-duration", "cors",
      "log-output"};
  return kFlags;
}

}  // namespace

ServerFlagSyntax ServerFlag(const std::string& name) {
  if (BoolFlags().count(name)) return ServerFlagSyntax::kBool;
  if (ValueFlags().count(name)) return ServerFlagSyntax::kValue;
  return ServerFlagSyntax::kUndefined;
}

std::vector<std::string> ServerFlagNames() {
  std::vector<std::string> names(BoolFlags().begin(), BoolFlags().end());
  names.insert(names.end(), ValueFlags().begin(), ValueFlags().end());
  return names;
}

}  // namespace common
