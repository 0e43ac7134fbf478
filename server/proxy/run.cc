#include "server/proxy/run.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <random>

#include "common/discovery.h"
#include "common/dns_srv.h"
#include "common/log.h"
#include "common/signals.h"
#include "common/url.h"
#include "server/config/initial_cluster.h"
#include "server/http/http.h"
#include "server/proxy/cluster_file.h"
#include "server/proxy/proxy.h"

namespace proxy {
namespace {

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Go's `[a b]` form of a string list, as etcd logs it.
std::string GoList(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return "[" + out + "]";
}

// The initial cluster a discovery source names, or the static one.
common::Result<config::UrlsMap> BootstrapPeers(const config::Config& cfg, const std::function<bool()>& stop) {
  if (!cfg.discovery.empty()) {
    common::DiscoveryOptions options;
    options.proxy = cfg.discovery_proxy;
    options.stop = stop;
    auto cluster = common::DiscoveryGetCluster(cfg.discovery, options);
    if (!cluster.ok()) return cluster.status();
    return config::ParseUrlsMap(*cluster);
  }
  if (!cfg.discovery_srv.empty()) {
    auto cluster = common::SrvInitialCluster(cfg.discovery_srv, cfg.discovery_srv_name, cfg.name,
                                             common::JoinUrls(cfg.initial_advertise_peer_urls),
                                             /*member_mode=*/false, common::DnsOptions::FromEnvironment());
    if (!cluster.ok()) return cluster.status();
    return config::ParseUrlsMap(*cluster);
  }
  auto bootstrap = config::PeerUrlsMapAndToken(cfg);
  if (!bootstrap.ok()) return bootstrap.status();
  return bootstrap->peers;
}

}  // namespace

bool ShouldRun(const config::Config& cfg) {
  if (IsDir(ProxyDir(cfg.data_dir))) return true;
  if (IsDir(cfg.data_dir + "/member")) return false;
  return cfg.IsProxy();
}

common::Result<std::vector<std::string>> FirstPeerUrls(const config::Config& cfg,
                                                       const std::function<bool()>& stop) {
  std::string dir = ProxyDir(cfg.data_dir);
  auto saved = ReadClusterFile(dir);
  if (saved.ok()) {
    if (!cfg.discovery.empty()) {
      KV_LOG(kWarn, "etcdmain") << "discovery token ignored since the proxy has already been initialized. "
                                << "Valid cluster file found at \"" << dir << "/cluster\"";
    }
    if (!cfg.discovery_srv.empty()) {
      KV_LOG(kWarn, "etcdmain") << "DNS SRV discovery ignored since the proxy has already been initialized. "
                                << "Valid cluster file found at \"" << dir << "/cluster\"";
    }
    KV_LOG(kInfo, "etcdmain") << "proxy: using peer urls " << GoList(*saved) << " from cluster file \"" << dir
                              << "/cluster\"";
    return saved;
  }
  if (saved.status().code() != common::Code::kNotFound) return saved.status();
  auto peers = BootstrapPeers(cfg, stop);
  if (!peers.ok()) return peers.status();
  std::vector<std::string> urls;
  for (const auto& [name, peer_urls] : *peers) {
    for (const auto& u : peer_urls) urls.push_back(u.String());
  }
  std::sort(urls.begin(), urls.end());
  KV_LOG(kInfo, "etcdmain") << "proxy: using peer urls " << GoList(urls);
  return urls;
}

int Run(const config::Config& cfg, const sigset_t& stop_signals) {
  KV_LOG(kInfo, "etcdmain") << "proxy: this proxy supports v2 API only!";
  Options options;
  options.proxy_dir = ProxyDir(cfg.data_dir);
  if (::mkdir(cfg.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    std::cerr << "kvraft: mkdir " << cfg.data_dir << ": " << std::strerror(errno) << std::endl;
    return 1;
  }
  if (::mkdir(options.proxy_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    std::cerr << "kvraft: mkdir " << options.proxy_dir << ": " << std::strerror(errno) << std::endl;
    return 1;
  }
  auto peers = FirstPeerUrls(cfg, [&stop_signals] { return common::AnyPending(stop_signals); });
  if (!peers.ok()) {
    std::cerr << "kvraft: " << peers.status().message() << std::endl;
    return 1;
  }
  options.readonly = cfg.proxy == "readonly";
  options.failure_wait = std::chrono::milliseconds(cfg.proxy_failure_wait_ms);
  options.refresh_interval = std::chrono::milliseconds(cfg.proxy_refresh_interval_ms);
  options.timeouts.dial = std::chrono::milliseconds(cfg.proxy_dial_timeout_ms);
  options.timeouts.write = std::chrono::milliseconds(cfg.proxy_write_timeout_ms);
  options.timeouts.read = std::chrono::milliseconds(cfg.proxy_read_timeout_ms);
  options.max_watches = cfg.proxy_max_watches;
  options.seed = std::random_device{}();
  Proxy proxy(options, *peers, FetchClusterFromPeers);

  http::ServerOptions server_options;
  // The members' limit (etcd's proxy has none and reads any body whole):
  // every forward holds its body.
  server_options.max_body_bytes = cfg.max_request_bytes;
  // Each forward holds a connection to a member, and idle ones are kept.
  const size_t member_connections = options.max_forwards + options.max_watches + 1024;
  server_options.max_connections =
      http::CapToOpenFiles(cfg.max_client_connections, member_connections, "max-client-connections");
  std::vector<std::string> host_ports;
  for (const auto& u : cfg.listen_client_urls) host_ports.push_back(u.host_port);
  auto server = http::Server::Listen(host_ports, proxy.Handler(), server_options);
  if (!server.ok()) {
    std::cerr << "kvraft: " << server.status().message() << std::endl;
    return 1;
  }
  proxy.Start();
  (*server)->Start();
  for (const auto& u : cfg.listen_client_urls) {
    KV_LOG(kInfo, "etcdmain") << "proxy: listening for client requests on " << u.String();
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  KV_LOG(kInfo, "etcdmain") << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping";
  (*server)->Stop();
  proxy.Stop();
  return 0;
}

}  // namespace proxy
