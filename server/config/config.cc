// Load: flags, env and YAML in etcd 3.4's precedence; Validate: etcd's checks.
#include "server/config/config.h"

#include <arpa/inet.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/go_quote.h"
#include "server/config/flags.h"
#include "server/config/yaml.h"

namespace config {
namespace {

using common::Result;
using common::Status;
using common::Url;

constexpr char kConflictingBootstrap[] =
    "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", "
    "\"discovery\" or \"discovery-srv\"";
constexpr char kUnsetAdvertiseClientUrls[] =
    "--advertise-client-urls is required when --listen-client-urls is set explicitly";

std::vector<Url> DefaultUrls(const char* url) { return common::ParseUrls(url).value(); }


bool IsIp(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Listen URLs must name an IP (or localhost): etcd will not resolve names to bind.
Status CheckBindUrls(const std::vector<Url>& urls) {
  for (const Url& u : urls) {
    if (u.scheme == "unix" || u.scheme == "unixs" || u.host == "localhost") continue;
    if (!IsIp(u.host)) return Status::InvalidArgument("expected IP in URL for binding (" + u.String() + ")");
  }
  return Status::OK();
}

Status CheckHostUrls(const std::string& flag, const std::vector<Url>& urls) {
  for (const Url& u : urls) {
    if (u.host.empty()) {
      return Status::InvalidArgument(flag + " " + common::GoQuote(common::JoinUrls(urls)) +
                                     " must be \"host:port\" (unexpected empty host (" + u.String() + "))");
    }
  }
  return Status::OK();
}

// TLS is not built yet: a TLS setting is refused rather than ignored, so
// nobody believes their traffic is encrypted when it is not.
Status CheckNoTls(const Config& c) {
  const TlsInfo& cl = c.client_tls;
  const TlsInfo& p = c.peer_tls;
  const std::pair<bool, const char*> settings[] = {
      {!cl.cert_file.empty(), "--cert-file"},
      {!cl.key_file.empty(), "--key-file"},
      {!cl.trusted_ca_file.empty(), "--trusted-ca-file"},
      {!cl.crl_file.empty(), "--client-crl-file"},
      {!cl.allowed_hostname.empty(), "--client-cert-allowed-hostname"},
      {cl.client_cert_auth, "--client-cert-auth"},
      {cl.auto_tls, "--auto-tls"},
      {!p.cert_file.empty(), "--peer-cert-file"},
      {!p.key_file.empty(), "--peer-key-file"},
      {!p.trusted_ca_file.empty(), "--peer-trusted-ca-file"},
      {!p.crl_file.empty(), "--peer-crl-file"},
      {!p.allowed_cn.empty(), "--peer-cert-allowed-cn"},
      {!p.allowed_hostname.empty(), "--peer-cert-allowed-hostname"},
      {p.client_cert_auth, "--peer-client-cert-auth"},
      {p.auto_tls, "--peer-auto-tls"},
      {!c.cipher_suites.empty(), "--cipher-suites"},
  };
  for (const auto& [set, flag] : settings) {
    if (set) {
      return Status::InvalidArgument(std::string(flag) +
                                     ": TLS is not supported by this build of kvraft (serve plain HTTP, "
                                     "or put a TLS proxy in front)");
    }
  }
  for (const auto* urls : {&c.listen_peer_urls, &c.listen_client_urls, &c.initial_advertise_peer_urls,
                           &c.advertise_client_urls}) {
    for (const Url& u : *urls) {
      if (u.scheme == "https" || u.scheme == "unixs") {
        return Status::InvalidArgument(u.String() + ": TLS is not supported by this build of kvraft");
      }
    }
  }
  return Status::OK();
}

// A member that may end up a proxy needs no advertised client URLs.
bool MayBeProxy(const Config& c) {
  return c.IsProxy() || (!c.discovery.empty() && c.discovery_fallback == "proxy");
}

std::string InitialClusterFromName(const Config& c) {
  std::string name = c.name.empty() ? kDefaultName : c.name;
  std::string out;
  for (const Url& u : c.initial_advertise_peer_urls) {
    if (!out.empty()) out += ",";
    out += name + "=" + u.String();
  }
  return out;
}

bool IsDefault(const std::vector<Url>& urls, const char* url) {
  return urls.size() == 1 && urls[0].String() == url;
}

// Replaces the advertised "localhost" default by the machine's host name when
// the matching listen URL is 0.0.0.0, keeping the listen port.
bool SubstituteDefaultHost(const std::vector<Url>& listen, const char* default_url,
                           const std::string& host, std::vector<Url>* advertise) {
  if (!IsDefault(*advertise, default_url) || listen.empty() || listen[0].host != "0.0.0.0") return false;
  Url& u = (*advertise)[0];
  u.host = host;
  u.port = listen[0].port;
  u.host_port = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + u.port;
  return true;
}

// etcd's UpdateDefaultClusterFromName: `--name x` alone implies
// `--initial-cluster x=<initial-advertise-peer-urls>`.
void UpdateDefaultCluster(const std::string& default_initial_cluster,
                          const std::optional<std::string>& default_host, Config* c) {
  bool used = false;
  if (default_host) {
    used |= SubstituteDefaultHost(c->listen_peer_urls, "http://localhost:2380", *default_host,
                                  &c->initial_advertise_peer_urls);
  }
  if (c->name != kDefaultName && c->initial_cluster == default_initial_cluster) {
    c->initial_cluster = InitialClusterFromName(*c);
  }
  if (default_host) {
    used |= SubstituteDefaultHost(c->listen_client_urls, "http://localhost:2379", *default_host,
                                  &c->advertise_client_urls);
  }
  if (used) c->notices.push_back("advertising using detected default host " + common::GoQuote(*default_host));
}

Result<Config> FromCommandLine(Config cfg, std::set<std::string> set_flags,
                               const std::map<std::string, std::string>& env) {
  Status s = internal::ApplyEnv(env, &set_flags, &cfg);
  if (!s.ok()) return s;
  // ETCD_VERSION is read after the version check, so it never prints anything.
  cfg.action = Action::kRun;
  if (set_flags.count("listen-client-urls") && !set_flags.count("advertise-client-urls") &&
      !MayBeProxy(cfg)) {
    cfg.advertise_client_urls.clear();
  }
  if ((!cfg.discovery.empty() || !cfg.discovery_srv.empty()) && !set_flags.count("initial-cluster")) {
    cfg.initial_cluster.clear();
  }
  return cfg;
}

Result<Config> FromFile(const std::string& path, const ReadFileFn& read_file) {
  Result<std::string> text = read_file(path);
  if (!text.ok()) return text.status();
  Config cfg;
  const std::string default_initial_cluster = cfg.initial_cluster;
  cfg.config_file = path;
  cfg.notices.push_back("Loading server configuration from " + common::GoQuote(path) +
                        ". Other configuration command line flags and environment variables will "
                        "be ignored if provided.");
  Status s = internal::ApplyYaml(*text, &cfg);
  if (!s.ok()) return s;
  if ((!cfg.discovery.empty() || !cfg.discovery_srv.empty()) &&
      cfg.initial_cluster == default_initial_cluster) {
    cfg.initial_cluster.clear();
  }
  if (cfg.initial_cluster_state.empty()) cfg.initial_cluster_state = "new";
  return cfg;
}

}  // namespace

Config::Config()
    : listen_peer_urls(DefaultUrls("http://localhost:2380")),
      listen_client_urls(DefaultUrls("http://localhost:2379")),
      initial_advertise_peer_urls(DefaultUrls("http://localhost:2380")),
      advertise_client_urls(DefaultUrls("http://localhost:2379")),
      initial_cluster(InitialClusterFromName(*this)) {}

Result<Config> Load(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const ReadFileFn& read_file,
                    const std::optional<std::string>& default_host) {
  Config cfg;
  const std::string default_initial_cluster = cfg.initial_cluster;
  Result<internal::ParsedArgs> parsed = internal::ParseArgs(args, &cfg);
  if (!parsed.ok()) return parsed.status();
  if (parsed->help) {
    Config help;
    help.action = Action::kPrintHelp;
    return help;
  }
  if (!parsed->positional.empty()) {
    return Status::InvalidArgument("'" + parsed->positional[0] + "' is not a valid flag");
  }
  if (cfg.action == Action::kPrintVersion) return cfg;

  std::string file = cfg.config_file;
  if (auto it = env.find("ETCD_CONFIG_FILE"); file.empty() && it != env.end()) file = it->second;
  Result<Config> loaded = file.empty() ? FromCommandLine(std::move(cfg), parsed->set_flags, env)
                                       : FromFile(file, read_file);
  if (!loaded.ok()) return loaded;
  Config& c = loaded.value();
  Status s = Validate(c);
  if (!s.ok()) return s;
  UpdateDefaultCluster(default_initial_cluster, default_host, &c);
  if (c.data_dir.empty()) {
    c.data_dir = c.name + kDataDirSuffix;
    c.notices.push_back("no data-dir provided, using default data-dir ./" + c.data_dir);
  }
  return loaded;
}

Result<std::string> ReadFileFromDisk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string why = std::strerror(errno);
    if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    return Status::IOError("open " + path + ": " + why);  // Go's wording
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("read " + path + ": " + std::strerror(errno));
  return text.str();
}

bool IsUsageError(const std::vector<std::string>& args) {
  Config scratch;
  return !internal::ParseArgs(args, &scratch).ok();
}

Status Validate(const Config& c) {
  if (c.logger != "capnslog" && c.logger != "zap") {
    return Status::InvalidArgument("unknown logger option " + common::GoQuote(c.logger));
  }
  for (const auto* urls : {&c.listen_peer_urls, &c.listen_client_urls, &c.listen_metrics_urls}) {
    Status s = CheckBindUrls(*urls);
    if (!s.ok()) return s;
  }
  Status s = CheckHostUrls("--initial-advertise-peer-urls", c.initial_advertise_peer_urls);
  if (!s.ok()) return s;
  s = CheckNoTls(c);
  if (!s.ok()) return s;
  s = CheckHostUrls("--advertise-client-urls", c.advertise_client_urls);
  if (!s.ok()) return s;
  if (c.initial_cluster_state != "new" && c.initial_cluster_state != "existing") {
    return Status::InvalidArgument("unexpected clusterState " + common::GoQuote(c.initial_cluster_state));
  }
  int bootstrap_sources = !c.discovery.empty() + !c.initial_cluster.empty() + !c.discovery_srv.empty();
  if (bootstrap_sources > 1) return Status::InvalidArgument(kConflictingBootstrap);
  const std::string tick = std::to_string(c.heartbeat_interval_ms);
  const std::string election = std::to_string(c.election_timeout_ms);
  if (c.heartbeat_interval_ms == 0) {
    return Status::InvalidArgument("--heartbeat-interval must be >0 (set to " + tick + "ms)");
  }
  if (c.election_timeout_ms == 0) {
    return Status::InvalidArgument("--election-timeout must be >0 (set to " + election + "ms)");
  }
  if (c.heartbeat_interval_ms > c.election_timeout_ms / 5) {  // 5*tick > election, no overflow
    return Status::InvalidArgument("--election-timeout[" + election +
                                   "ms] should be at least as 5 times as --heartbeat-interval[" +
                                   tick + "ms]");
  }
  if (c.election_timeout_ms > kMaxElectionMs) {
    return Status::InvalidArgument("--election-timeout[" + election +
                                   "ms] is too long, and should be set less than " +
                                   std::to_string(kMaxElectionMs) + "ms");
  }
  if (!c.listen_client_urls.empty() && c.advertise_client_urls.empty() && !MayBeProxy(c)) {
    return Status::InvalidArgument(kUnsetAdvertiseClientUrls);
  }
  return Status::OK();
}

}  // namespace config
