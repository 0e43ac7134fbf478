// The member configuration: etcd 3.4's flags, ETCD_* environment variables and
// YAML config file turned into one plain Config struct.
//
// Precedence (etcd 3.4): with --config-file (or ETCD_CONFIG_FILE) only the YAML
// file counts; otherwise command-line flags, then ETCD_<FLAG> for flags not
// given. An env var whose flag is also given is an error; unknown ETCD_* vars
// give a notice. Error texts are etcd's, so scripts and operators see the same
// messages. Everything here except ReadFileFromDisk is a pure function of its
// inputs; all of it is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/url.h"

namespace config {

inline constexpr char kDefaultName[] = "default";
inline constexpr char kDataDirSuffix[] = ".kvraft";  // etcd uses ".etcd"
inline constexpr uint64_t kMaxElectionMs = 50000;

// What the process should do after loading.
enum class Action { kRun, kPrintHelp, kPrintVersion };

struct TlsInfo {
  std::string cert_file;
  std::string key_file;
  std::string trusted_ca_file;
  std::string crl_file;
  std::string allowed_cn;        // peer only
  std::string allowed_hostname;
  bool client_cert_auth = false;
  bool auto_tls = false;
};

// Every field starts at etcd 3.4's default. URL lists are sorted, as etcd sorts them.
struct Config {
  Action action = Action::kRun;
  std::string config_file;

  // Member.
  std::string name = kDefaultName;
  std::string data_dir;  // Load fills "<name>.kvraft" when not given
  std::string wal_dir;
  uint64_t snapshot_count = 100000;
  uint64_t snapshot_catchup_entries = 5000;  // log kept after a snapshot for slow followers
  uint64_t heartbeat_interval_ms = 100;
  uint64_t election_timeout_ms = 1000;
  bool initial_election_tick_advance = true;
  std::vector<common::Url> listen_peer_urls;    // default http://localhost:2380
  std::vector<common::Url> listen_client_urls;  // default http://localhost:2379
  std::vector<common::Url> listen_metrics_urls;
  uint64_t max_snapshots = 5;
  uint64_t max_wals = 5;
  int64_t quota_backend_bytes = 0;
  uint64_t max_txn_ops = 128;
  uint64_t max_request_bytes = 1572864;
  // kvraft's own: client connections open at once (peers and files keep the
  // rest of the open-files limit).
  uint64_t max_client_connections = 16000;
  std::vector<std::string> cors{"*"};            // "*" or URLs, sorted, unique
  std::vector<std::string> host_whitelist{"*"};  // sorted, unique
  bool enable_pprof = false;
  bool force_new_cluster = false;

  // Clustering.
  std::vector<common::Url> initial_advertise_peer_urls;  // default http://localhost:2380
  std::vector<common::Url> advertise_client_urls;        // default http://localhost:2379
  std::string initial_cluster;  // default "<name>=<initial-advertise-peer-urls>"
  std::string initial_cluster_state = "new";  // new | existing
  std::string initial_cluster_token = "etcd-cluster";
  std::string discovery;
  std::string discovery_srv;
  std::string discovery_srv_name;
  std::string discovery_fallback = "proxy";  // proxy | exit
  std::string discovery_proxy;
  bool strict_reconfig_check = true;
  bool enable_v2 = false;  // accepted for compatibility: kvraft always serves v2
  bool enable_snapshot_endpoint = true;  // GET /kvraft/snapshot (online backups)
  bool pre_vote = true;  // etcd 3.5's default (3.4: false): a returning member must not disrupt

  // v2 proxy.
  std::string proxy = "off";  // off | readonly | on
  uint64_t proxy_failure_wait_ms = 5000;
  uint64_t proxy_refresh_interval_ms = 30000;
  uint64_t proxy_dial_timeout_ms = 1000;
  uint64_t proxy_write_timeout_ms = 5000;
  uint64_t proxy_read_timeout_ms = 0;
  uint64_t proxy_max_watches = 1024;  // kvraft's own: watches forwarded at once

  // Security (stored as given; see security.md).
  TlsInfo client_tls;
  TlsInfo peer_tls;
  std::string cipher_suites;

  // Logging.
  std::string logger = "capnslog";  // capnslog | zap
  std::vector<std::string> log_outputs{"default"};
  std::string log_level = "info";
  bool debug = false;
  std::string log_package_levels;

  // etcd 3.4 flags kvraft accepts but does not use (v3, gRPC, auth tokens,
  // compaction, experimental): name -> value as given.
  std::map<std::string, std::string> unused_etcd_flags;

  // Lines etcd logs while loading ("recognized and used environment variable
  // ...", "unrecognized environment variable ...", default data dir, ...).
  std::vector<std::string> notices;

  Config();
  bool IsProxy() const { return proxy != "off"; }
  bool IsNewCluster() const { return initial_cluster_state == "new"; }
};

// Reads a whole file; errors carry the text to print ("open x: no such file or directory").
using ReadFileFn = std::function<common::Result<std::string>(const std::string& path)>;

// The ReadFileFn for real use: whole file, errors worded like Go's os.ReadFile.
common::Result<std::string> ReadFileFromDisk(const std::string& path);

// Builds the configuration from argv (without argv[0]), the environment and,
// when a config file is named, its YAML text; then validates it.
// `default_host` is the machine's default-route host name, used as etcd does
// when advertise URLs are the localhost defaults and listen URLs are 0.0.0.0;
// nullopt skips that substitution.
// Failures carry etcd's one-line message. Those of the command-line syntax
// (Go's flag package: etcd prints them with the usage line and exits 2) are
// the ones for which IsUsageError(args) is true; all others exit 1.
common::Result<Config> Load(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env,
                            const ReadFileFn& read_file,
                            const std::optional<std::string>& default_host = std::nullopt);

// True when `args` alone fail the command-line syntax (unknown flag, bad value, ...).
bool IsUsageError(const std::vector<std::string>& args);

// etcd's embed.Config.Validate checks, in etcd's order: bind URLs are IPs,
// advertise URLs have hosts, one bootstrap source, cluster state, tick and
// election bounds, advertise-client-urls present (unless this may be a proxy).
common::Status Validate(const Config& cfg);

// --help text (stdout, exit 0) and --version text.
std::string HelpText();
std::string UsageLine();  // what etcd prints after a usage error
std::string VersionText();

}  // namespace config
