// The flag table and Go-flag-package-compatible command-line and env parsing.
#include "server/config/flags.h"

#include <algorithm>

#include "common/go_flag.h"
#include "common/go_quote.h"
#include "common/go_strconv.h"
#include "common/strings.h"

namespace config::internal {
namespace {

using common::FlagToEnv;
using common::ParseGoBool;
using common::ParseGoInt;
using common::ParseGoUint;
using common::Result;
using common::Status;
using common::Url;

template <typename T>
using Field = T Config::*;

Status Reason(const std::string& why) { return Status::InvalidArgument(why); }


std::vector<std::string> SortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

FlagSpec Str(const char* name, Field<std::string> f) {
  return {name, FlagKind::kString, [f](Config& c, const std::string& v) {
            c.*f = v;
            return Status::OK();
          }};
}

FlagSpec Bool(const char* name, Field<bool> f) {
  return {name, FlagKind::kBool, [f](Config& c, const std::string& v) {
            Result<bool> b = ParseGoBool(v);
            if (!b.ok()) return b.status();
            c.*f = *b;
            return Status::OK();
          }};
}

FlagSpec Uint(const char* name, Field<uint64_t> f) {
  return {name, FlagKind::kUint, [f](Config& c, const std::string& v) {
            Result<uint64_t> n = ParseGoUint(v);
            if (!n.ok()) return n.status();
            c.*f = *n;
            return Status::OK();
          }};
}

FlagSpec Int(const char* name, Field<int64_t> f) {
  return {name, FlagKind::kInt, [f](Config& c, const std::string& v) {
            Result<int64_t> n = ParseGoInt(v);
            if (!n.ok()) return n.status();
            c.*f = *n;
            return Status::OK();
          }};
}

FlagSpec Urls(const char* name, Field<std::vector<Url>> f) {
  return {name, FlagKind::kUrls, [f](Config& c, const std::string& v) {
            Result<std::vector<Url>> u = common::ParseUrls(v);
            if (!u.ok()) return u.status();
            c.*f = std::move(u).value();
            return Status::OK();
          }};
}

// etcd's StringsFlag: one of a fixed set, else "invalid value".
FlagSpec Enum(const char* name, Field<std::string> f, std::vector<std::string> allowed) {
  return {name, FlagKind::kString, [f, allowed](Config& c, const std::string& v) {
            if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
              return Reason("invalid value");
            }
            c.*f = v;
            return Status::OK();
          }};
}

// etcd's UniqueStringsValue: comma list, de-duplicated and sorted.
FlagSpec List(const char* name, Field<std::vector<std::string>> f) {
  return {name, FlagKind::kList, [f](Config& c, const std::string& v) {
            c.*f = SortedUnique(common::SplitCommas(v));
            return Status::OK();
          }};
}

FlagSpec TlsStr(const char* name, Field<TlsInfo> t, std::string TlsInfo::*f) {
  return {name, FlagKind::kString, [t, f](Config& c, const std::string& v) {
            (c.*t).*f = v;
            return Status::OK();
          }};
}

FlagSpec TlsBool(const char* name, Field<TlsInfo> t, bool TlsInfo::*f) {
  return {name, FlagKind::kBool, [t, f](Config& c, const std::string& v) {
            Result<bool> b = ParseGoBool(v);
            if (!b.ok()) return b.status();
            (c.*t).*f = *b;
            return Status::OK();
          }};
}

// An etcd flag kvraft has no use for: checked like etcd would, then kept as given.
FlagSpec Unused(const char* name, FlagKind kind) {
  std::string n = name;
  return {name, kind, [n, kind](Config& c, const std::string& v) {
            if (kind == FlagKind::kBool && !ParseGoBool(v).ok()) return Reason("parse error");
            if (kind == FlagKind::kUint) {
              Result<uint64_t> u = ParseGoUint(v);
              if (!u.ok()) return u.status();
            }
            c.unused_etcd_flags[n] = v;
            return Status::OK();
          }};
}

// etcd's IgnoredFlag: a boolean-style flag whose value is dropped.
FlagSpec Ignored(const char* name) {
  std::string n = name;
  return {name, FlagKind::kIgnored, [n](Config& c, const std::string&) {
            c.notices.push_back("flag \"" + n + "\" is ignored");
            return Status::OK();
          }};
}

// --cors: "*" or URLs (each checked like a member URL), de-duplicated.
FlagSpec Cors() {
  return {"cors", FlagKind::kList, [](Config& c, const std::string& v) {
            std::vector<std::string> parts = common::SplitCommas(v);
            for (std::string& p : parts) {
              if (p == "*") continue;
              Result<Url> u = common::ParseUrl(p);
              if (!u.ok()) return u.status();
              p = u->String();
            }
            c.cors = SortedUnique(std::move(parts));
            return Status::OK();
          }};
}

// --log-output (deprecated in 3.4) sets --log-outputs.
// --version: print the version and exit.
FlagSpec Version() {
  return {"version", FlagKind::kBool, [](Config& c, const std::string& v) {
            Result<bool> b = ParseGoBool(v);
            if (!b.ok()) return b.status();
            c.action = *b ? Action::kPrintVersion : Action::kRun;
            return Status::OK();
          }};
}

FlagSpec LogOutput() {
  return {"log-output", FlagKind::kString, [](Config& c, const std::string& v) {
            c.notices.push_back("Please use '--log-outputs' flag");
            c.log_outputs = {v};
            return Status::OK();
          }};
}

std::vector<FlagSpec> BuildFlags() {
  std::vector<FlagSpec> f = {
      Str("config-file", &Config::config_file),
      Version(),
      // Member.
      Str("name", &Config::name),
      Str("data-dir", &Config::data_dir),
      Str("wal-dir", &Config::wal_dir),
      Uint("snapshot-count", &Config::snapshot_count),
      // etcd 3.5's name; 3.4 hard-codes 5000.
      Uint("experimental-snapshot-catchup-entries", &Config::snapshot_catchup_entries),
      Uint("heartbeat-interval", &Config::heartbeat_interval_ms),
      Uint("election-timeout", &Config::election_timeout_ms),
      Bool("initial-election-tick-advance", &Config::initial_election_tick_advance),
      Urls("listen-peer-urls", &Config::listen_peer_urls),
      Urls("listen-client-urls", &Config::listen_client_urls),
      Urls("listen-metrics-urls", &Config::listen_metrics_urls),
      Uint("max-snapshots", &Config::max_snapshots),
      Uint("max-wals", &Config::max_wals),
      Int("quota-backend-bytes", &Config::quota_backend_bytes),
      Uint("max-txn-ops", &Config::max_txn_ops),
      Uint("max-request-bytes", &Config::max_request_bytes),
      Uint("max-client-connections", &Config::max_client_connections),
      Cors(),
      List("host-whitelist", &Config::host_whitelist),
      Bool("enable-pprof", &Config::enable_pprof),
      Bool("force-new-cluster", &Config::force_new_cluster),
      // Clustering.
      Urls("initial-advertise-peer-urls", &Config::initial_advertise_peer_urls),
      Urls("advertise-client-urls", &Config::advertise_client_urls),
      Str("initial-cluster", &Config::initial_cluster),
      Enum("initial-cluster-state", &Config::initial_cluster_state, {"new", "existing"}),
      Str("initial-cluster-token", &Config::initial_cluster_token),
      Str("discovery", &Config::discovery),
      Str("discovery-srv", &Config::discovery_srv),
      Str("discovery-srv-name", &Config::discovery_srv_name),
      Enum("discovery-fallback", &Config::discovery_fallback, {"proxy", "exit"}),
      Str("discovery-proxy", &Config::discovery_proxy),
      Bool("strict-reconfig-check", &Config::strict_reconfig_check),
      Bool("enable-v2", &Config::enable_v2),
      Bool("enable-snapshot-endpoint", &Config::enable_snapshot_endpoint),
      Bool("pre-vote", &Config::pre_vote),
      // v2 proxy.
      Enum("proxy", &Config::proxy, {"off", "readonly", "on"}),
      Uint("proxy-failure-wait", &Config::proxy_failure_wait_ms),
      Uint("proxy-refresh-interval", &Config::proxy_refresh_interval_ms),
      Uint("proxy-dial-timeout", &Config::proxy_dial_timeout_ms),
      Uint("proxy-write-timeout", &Config::proxy_write_timeout_ms),
      Uint("proxy-read-timeout", &Config::proxy_read_timeout_ms),
      Uint("proxy-max-watches", &Config::proxy_max_watches),
      // Security.
      TlsStr("cert-file", &Config::client_tls, &TlsInfo::cert_file),
      TlsStr("key-file", &Config::client_tls, &TlsInfo::key_file),
      TlsBool("client-cert-auth", &Config::client_tls, &TlsInfo::client_cert_auth),
      TlsStr("client-crl-file", &Config::client_tls, &TlsInfo::crl_file),
      TlsStr("client-cert-allowed-hostname", &Config::client_tls, &TlsInfo::allowed_hostname),
      TlsStr("trusted-ca-file", &Config::client_tls, &TlsInfo::trusted_ca_file),
      TlsBool("auto-tls", &Config::client_tls, &TlsInfo::auto_tls),
      TlsStr("peer-cert-file", &Config::peer_tls, &TlsInfo::cert_file),
      TlsStr("peer-key-file", &Config::peer_tls, &TlsInfo::key_file),
      TlsBool("peer-client-cert-auth", &Config::peer_tls, &TlsInfo::client_cert_auth),
      TlsStr("peer-trusted-ca-file", &Config::peer_tls, &TlsInfo::trusted_ca_file),
      TlsStr("peer-cert-allowed-cn", &Config::peer_tls, &TlsInfo::allowed_cn),
      TlsStr("peer-cert-allowed-hostname", &Config::peer_tls, &TlsInfo::allowed_hostname),
      TlsBool("peer-auto-tls", &Config::peer_tls, &TlsInfo::auto_tls),
      TlsStr("peer-crl-file", &Config::peer_tls, &TlsInfo::crl_file),
      Str("cipher-suites", &Config::cipher_suites),
      // Logging.
      Str("logger", &Config::logger),
      List("log-outputs", &Config::log_outputs),
      LogOutput(),
      Str("log-level", &Config::log_level),
      Bool("debug", &Config::debug),
      Str("log-package-levels", &Config::log_package_levels),
      // etcd 3.4 flags without meaning in kvraft.
      Unused("backend-batch-interval", FlagKind::kString),
      Unused("backend-batch-limit", FlagKind::kUint),
      Unused("max-concurrent-streams", FlagKind::kString),
      Unused("grpc-keepalive-min-time", FlagKind::kString),
      Unused("grpc-keepalive-interval", FlagKind::kString),
      Unused("grpc-keepalive-timeout", FlagKind::kString),
      Unused("auto-compaction-retention", FlagKind::kString),
      Unused("auto-compaction-mode", FlagKind::kString),
      Unused("auth-token", FlagKind::kString),
      Unused("bcrypt-cost", FlagKind::kUint),
      Unused("auth-token-ttl", FlagKind::kUint),
      Unused("metrics", FlagKind::kString),
      Unused("unsafe-no-fsync", FlagKind::kBool),
      Unused("experimental-initial-corrupt-check", FlagKind::kBool),
      Unused("experimental-corrupt-check-time", FlagKind::kString),
      Unused("experimental-enable-v2v3", FlagKind::kString),
      Unused("experimental-backend-bbolt-freelist-type", FlagKind::kString),
      Unused("experimental-enable-lease-checkpoint", FlagKind::kBool),
      Unused("experimental-compaction-batch-limit", FlagKind::kUint),
      Unused("experimental-peer-skip-client-san-verification", FlagKind::kBool),
      Unused("experimental-watch-progress-notify-interval", FlagKind::kString),
      Unused("experimental-warning-apply-duration", FlagKind::kString),
  };
  for (const char* n : {"cluster-active-size", "cluster-remove-delay", "cluster-sync-interval",
                        "config", "force", "max-result-buffer", "max-retry-attempts",
                        "peer-heartbeat-interval", "peer-election-timeout", "retry-interval",
                        "snapshot", "v", "vv"}) {
    f.push_back(Ignored(n));
  }
  return f;
}

}  // namespace

const std::vector<FlagSpec>& Flags() {
  static const std::vector<FlagSpec> kFlags = BuildFlags();
  return kFlags;
}

const FlagSpec* FindFlag(const std::string& name) {
  for (const FlagSpec& f : Flags()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args, Config* cfg) {
  ParsedArgs out;
  common::GoFlagScanner scan(args);
  for (common::GoFlag arg; scan.Next(&arg);) {
    const FlagSpec* flag = FindFlag(arg.name);
    if (flag == nullptr) {
      if (arg.name == "help" || arg.name == "h") {
        out.help = true;
        return out;
      }
      return common::GoFlagNotDefined(arg.name);
    }
    if (IsBoolean(flag->kind)) {
      Status st = flag->set(*cfg, arg.value.value_or("true"));
      if (!st.ok()) {
        return Status::InvalidArgument("invalid boolean value " + common::GoQuote(*arg.value) + " for -" + arg.name +
                                       ": " + st.message());
      }
    } else {
      Status st = scan.TakeValue(&arg);
      if (!st.ok()) return st;
      st = flag->set(*cfg, *arg.value);
      if (!st.ok()) {
        return Status::InvalidArgument("invalid value " + common::GoQuote(*arg.value) + " for flag -" + arg.name +
                                       ": " + st.message());
      }
    }
    out.set_flags.insert(arg.name);
  }
  if (!scan.status().ok()) return scan.status();
  out.positional = scan.Positional();
  return out;
}

Status ApplyEnv(const std::map<std::string, std::string>& env, std::set<std::string>* set_flags,
                Config* cfg) {
  std::set<std::string> shadowed;  // env keys of flags given on the command line
  for (const std::string& n : *set_flags) shadowed.insert(FlagToEnv(n));
  std::set<std::string> used;
  Status last_error;
  for (const FlagSpec& flag : Flags()) {
    const std::string& name = flag.name;
    std::string key = FlagToEnv(name);
    auto it = env.find(key);
    if (shadowed.count(key) || it == env.end() || it->second.empty()) continue;
    used.insert(key);
    Status st = flag.set(*cfg, it->second);
    if (!st.ok()) {
      // etcd keeps going and reports the last failure, after the env checks below.
      last_error = Status::InvalidArgument("invalid value " + common::GoQuote(it->second) + " for " + key +
                                            ": " + st.message());
      continue;
    }
    set_flags->insert(name);
    cfg->notices.push_back("recognized and used environment variable " + key + "=" + it->second);
  }
  for (const auto& [key, val] : env) {
    if (used.count(key)) continue;
    if (shadowed.count(key)) {
      return Status::InvalidArgument("conflicting environment variable " + common::GoQuote(key) +
                                     " is shadowed by corresponding command-line flag (either "
                                     "unset environment variable or disable flag)");
    }
    if (key.rfind("ETCD_", 0) == 0) {
      cfg->notices.push_back("unrecognized environment variable " + key + "=" + val);
    }
  }
  return last_error;
}

}  // namespace config::internal
