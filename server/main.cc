// kvraft: an etcd v2-compatible member. Wiring only: load the configuration,
// open the data dir, start the server loop and the HTTP listeners, and stop
// them all on SIGINT/SIGTERM.
#include <signal.h>
#include <sys/stat.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/member_id.h"
#include "common/signals.h"
#include "common/version.h"
#include "server/api/context.h"
#include "server/api/peer_handler.h"
#include "server/api/router.h"
#include "server/config/config.h"
#include "server/config/discovery_bootstrap.h"
#include "server/config/discovery_srv.h"
#include "server/config/initial_cluster.h"
#include "server/etcdserver/server.h"
#include "server/http/http.h"
#include "server/offline/tools.h"
#include "server/proxy/run.h"
#include "server/storage/data_dir_lock.h"
#include "server/storage/sqlite_storage.h"
#include "server/store/store.h"
#include "server/transport/remote_cluster.h"

extern char** environ;

namespace {

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

int Fail(const std::string& message) {
  std::cerr << "kvraft: " << message << std::endl;
  return 1;
}

std::vector<std::string> HostPorts(const std::vector<common::Url>& urls) {
  std::vector<std::string> out;
  for (const auto& u : urls) out.push_back(u.host_port);
  return out;
}

std::vector<std::string> Strings(const std::vector<common::Url>& urls) {
  std::vector<std::string> out;
  for (const auto& u : urls) out.push_back(u.String());
  return out;
}

// The member and cluster ids of a new member of a new cluster (static or
// through a discovery token), as etcd derives them. `stop` ends a wait for the
// discovery token.
common::Status BootstrapIdentity(const config::Config& cfg, const std::function<bool()>& stop,
                                 etcdserver::ServerConfig* out) {
  auto bootstrap = config::PeerUrlsMapAndToken(cfg);
  if (!bootstrap.ok()) return bootstrap.status();
  common::Status s = config::VerifyBootstrap(cfg, bootstrap->peers);
  if (!s.ok()) return s;
  s = config::JoinDiscoveryCluster(cfg, stop, &bootstrap->peers);
  if (!s.ok()) return s;
  std::vector<uint64_t> ids;
  for (const auto& [name, urls] : bootstrap->peers) {
    uint64_t id = common::MemberId(urls, bootstrap->token);
    ids.push_back(id);
    out->initial_members[id] = Strings(urls);
    if (name == cfg.name) out->member_id = id;
  }
  if (out->member_id == 0) {
    return common::Status::InvalidArgument("couldn't find local name \"" + cfg.name +
                                           "\" in the initial cluster configuration");
  }
  out->cluster_id = common::ClusterId(ids);
  out->cluster_token = bootstrap->token;
  return common::Status::OK();
}

// A member joining a running cluster takes its ids from the cluster itself:
// the member whose peer URLs are ours was added by `member add`.
common::Status JoinIdentity(const config::Config& cfg, etcdserver::ServerConfig* out) {
  auto peers = config::ParseUrlsMap(cfg.initial_cluster);
  if (!peers.ok()) return peers.status();
  common::Status s = config::VerifyJoinExisting(cfg, *peers);
  if (!s.ok()) return s;
  std::vector<std::string> remote;
  for (const auto& [name, urls] : *peers) {
    if (name != cfg.name) for (const auto& u : urls) remote.push_back(u.String());
  }
  auto cluster = transport::FetchRemoteCluster(remote, std::chrono::seconds(2));
  if (!cluster.ok()) return cluster.status();
  out->cluster_id = cluster->cluster_id;
  out->cluster_token = cfg.initial_cluster_token;
  std::vector<std::string> mine = out->peer_urls;
  std::sort(mine.begin(), mine.end());
  for (auto& m : cluster->members) {
    auto urls = m.peer_urls;
    std::sort(urls.begin(), urls.end());
    if (urls == mine) out->member_id = m.id;
    out->initial_members[m.id] = m.peer_urls;
  }
  if (out->member_id == 0) {
    return common::Status::InvalidArgument(
        "this member's peer URLs are not in the cluster's member list: add it first with "
        "`member add " + cfg.name + " " + common::JoinUrls(cfg.initial_advertise_peer_urls) + "`");
  }
  out->new_cluster = false;
  return common::Status::OK();
}

// A restarting member is who its data dir says it is: as etcd, it ignores the
// bootstrap flags then, so it needs no DNS or discovery round trip to come up.
// The flags it still states are checked against the data dir (EtcdServer
// refuses a dir made for another member); SRV records choose the advertised
// peer URLs, so those are not compared for a member bootstrapped from DNS.
common::Status RestartIdentity(const config::Config& cfg, const std::map<std::string, std::string>& meta,
                               etcdserver::ServerConfig* out) {
  auto field = [&](const char* k) {
    auto it = meta.find(k);
    return it == meta.end() ? std::string() : it->second;
  };
  auto member = common::ParseId(field("member_id"));
  auto cluster = common::ParseId(field("cluster_id"));
  if (!member.ok() || !cluster.ok()) {
    return common::Status::Corruption("data dir " + cfg.data_dir + " has no valid member identity");
  }
  if (!field("backup_of").empty() && !cfg.force_new_cluster) {
    return common::Status::InvalidArgument("data dir " + cfg.data_dir + " is a backup of member " +
                                           field("backup_of") +
                                           ": start it with --force-new-cluster to make it a new cluster");
  }
  out->member_id = *member;
  out->cluster_id = *cluster;
  out->cluster_token = cfg.discovery.empty() ? cfg.initial_cluster_token : cfg.discovery;
  if (!cfg.discovery_srv.empty()) out->peer_urls.clear();
  if (!cfg.discovery.empty()) {
    KV_LOG(kWarn, "etcdserver") << "discovery token is ignored since cluster already initialized; valid logs are found";
  }
  if (!cfg.discovery_srv.empty()) {
    KV_LOG(kWarn, "etcdserver") << "DNS SRV records are not read since cluster already initialized; valid logs are found";
  }
  return common::Status::OK();
}


// etcd's lines about the configuration a member starts with (embed's), in
// its words and order.
void LogStartConfig(const config::Config& cfg, bool initialized) {
  if (initialized) {
    KV_LOG(kInfo, "etcdmain") << "the server is already initialized as member before, starting as etcd member...";
  }
  KV_LOG(kInfo, "embed") << "name = " << cfg.name;
  if (cfg.force_new_cluster) KV_LOG(kInfo, "embed") << "force new cluster";
  KV_LOG(kInfo, "embed") << "data dir = " << cfg.data_dir;
  KV_LOG(kInfo, "embed") << "member dir = " << cfg.data_dir << "/member";
  KV_LOG(kInfo, "embed") << "heartbeat = " << cfg.heartbeat_interval_ms << "ms";
  KV_LOG(kInfo, "embed") << "election = " << cfg.election_timeout_ms << "ms";
  KV_LOG(kInfo, "embed") << "snapshot count = " << cfg.snapshot_count;
  if (!cfg.discovery.empty()) KV_LOG(kInfo, "embed") << "discovery URL= " << cfg.discovery;
  KV_LOG(kInfo, "embed") << "advertise client URLs = " << common::JoinUrls(cfg.advertise_client_urls);
  if (initialized) {  // sic: etcd 3.4 prints these for a member that has data
    KV_LOG(kInfo, "embed") << "initial advertise peer URLs = " << common::JoinUrls(cfg.initial_advertise_peer_urls);
    KV_LOG(kInfo, "embed") << "initial cluster = ";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (offline::IsTool(args)) return offline::RunTool(args);
  auto loaded = config::Load(args, Environment(), config::ReadFileFromDisk);
  if (!loaded.ok()) {
    if (config::IsUsageError(args)) {
      std::cerr << "kvraft: " << loaded.status().message() << " (see 'kvraft --help')" << std::endl;
      return 2;
    }
    std::cerr << "kvraft: error verifying flags, " << loaded.status().message()
              << ". See 'kvraft --help'." << std::endl;
    return 1;
  }
  config::Config& cfg = *loaded;
  if (cfg.action == config::Action::kPrintHelp) {
    std::cout << config::HelpText();
    return 0;
  }
  if (cfg.action == config::Action::kPrintVersion) {
    std::cout << config::VersionText();
    return 0;
  }
  common::LogLevel level;
  if (common::ParseLogLevel(cfg.debug ? "debug" : cfg.log_level, &level)) common::SetLogLevel(level);
  KV_LOG(kInfo, "etcdmain") << "kvraft Version: " << common::kKvraftVersion;
  KV_LOG(kInfo, "etcdmain") << "etcd API Version: " << common::kServerVersion;
  for (const auto& notice : cfg.notices) KV_LOG(kInfo, "etcdmain") << notice;
  etcdserver::ServerConfig sc;
  sc.name = cfg.name;
  sc.data_dir = cfg.data_dir;
  sc.peer_urls = Strings(cfg.initial_advertise_peer_urls);
  sc.client_urls = Strings(cfg.advertise_client_urls);
  sc.snapshot_count = cfg.snapshot_count;
  sc.snapshot_catchup_entries = cfg.snapshot_catchup_entries;
  sc.heartbeat = std::chrono::milliseconds(cfg.heartbeat_interval_ms);
  sc.election = std::chrono::milliseconds(cfg.election_timeout_ms);
  sc.pre_vote = cfg.pre_vote;
  sc.strict_reconfig_check = cfg.strict_reconfig_check;
  sc.force_new_cluster = cfg.force_new_cluster;
  sc.on_removed = [] { kill(getpid(), SIGTERM); };
  // A member that cannot write its log stops too, and says so by its status.
  static std::atomic<bool> halted{false};
  sc.on_halted = [] {
    halted = true;
    kill(getpid(), SIGTERM);
  };
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  if (proxy::ShouldRun(cfg)) return proxy::Run(cfg, stop_signals);

  // Flags are checked before the data dir is made, so a mistyped command
  // leaves nothing behind. The data dir is locked before it is read, for as
  // long as the member runs.
  common::Result<std::unique_ptr<storage::DataDirLock>> lock = common::Status::NotFound("not locked yet");
  auto open_storage = [&cfg, &lock]() -> common::Result<std::unique_ptr<storage::SqliteStorage>> {
    if (!lock.ok()) lock = storage::DataDirLock::Acquire(cfg.data_dir);
    if (!lock.ok()) return lock.status();
    return storage::SqliteStorage::Open(cfg.data_dir);
  };
  struct stat db {};
  common::Result<std::unique_ptr<storage::SqliteStorage>> storage =
      common::Status::NotFound("no data dir yet");
  if (::stat((cfg.data_dir + "/member/kvraft.db").c_str(), &db) == 0) {
    storage = open_storage();
    if (!storage.ok()) return Fail(storage.status().message());
  }
  const bool new_member = !storage.ok() || (*storage)->IsNew();
  LogStartConfig(cfg, !new_member);
  auto stop_pending = [&stop_signals] { return common::AnyPending(stop_signals); };
  common::Status s;
  if (new_member) {
    // Before anything reads the cluster or the advertised peer URLs.
    s = config::ApplyDiscoverySrv(&cfg, common::DnsOptions::FromEnvironment());
    if (!s.ok()) return Fail(s.message());
    sc.peer_urls = Strings(cfg.initial_advertise_peer_urls);
    s = cfg.IsNewCluster() ? BootstrapIdentity(cfg, stop_pending, &sc) : JoinIdentity(cfg, &sc);
    if (config::FallsBackToProxy(cfg, s)) {
      // A member that found its discovery token full serves as a proxy
      // instead (--discovery-fallback proxy, etcd's default).
      KV_LOG(kInfo, "etcdmain") << "discovery cluster full, falling back to proxy";
      return proxy::Run(cfg, stop_signals);
    }
  } else {
    s = RestartIdentity(cfg, (*storage)->meta(), &sc);
  }
  if (!s.ok()) return Fail(s.message());
  if (!storage.ok()) storage = open_storage();
  if (!storage.ok()) return Fail(storage.status().message());
  store::Store st;
  etcdserver::EtcdServer server(sc, st, **storage);

  // The peer listener's cap plus other files stay free of client connections.
  constexpr size_t kPeerConnections = 1024;
  constexpr size_t kOtherFiles = 1024;
  http::ServerOptions options;
  options.max_body_bytes = cfg.max_request_bytes;
  options.max_connections =
      http::CapToOpenFiles(cfg.max_client_connections, kPeerConnections + kOtherFiles, "max-client-connections");
  api::WatchDispatcher watches;
  api::SnapshotService snapshots(server, cfg.data_dir, cfg.enable_snapshot_endpoint);
  auth::AuthStateCache auth_state(st);
  auth::LoginChecker logins;
  api::Context ctx{server, st, watches, auth_state, logins, &snapshots};
  auto client = http::Server::Listen(HostPorts(cfg.listen_client_urls), api::MakeClientHandler(ctx), options);
  if (!client.ok()) return Fail(client.status().message());
  http::ServerOptions peer_options = options;
  peer_options.max_body_bytes = 64 << 20;  // raft batches and snapshots (etcd allows 64 MiB)
  peer_options.max_connections = kPeerConnections;
  peer_options.body_budget_bytes = 512 << 20;  // a few bodies of the largest size at once
  auto peer = http::Server::Listen(HostPorts(cfg.listen_peer_urls), api::MakePeerHandler(ctx), peer_options);
  if (!peer.ok()) return Fail(peer.status().message());

  s = server.Start();
  if (!s.ok()) return Fail(s.message());
  (*peer)->Start();
  for (const auto& u : cfg.listen_peer_urls) KV_LOG(kInfo, "embed") << "listening for peers on " << u.host_port;
  // As etcd, serve clients only once this member has published itself to the
  // cluster (which needs a quorum); a stop signal meanwhile still stops it.
  int sig = 0;
  const timespec poll_signal{0, 0};
  while (!server.WaitPublished(std::chrono::seconds(1))) {
    KV_LOG(kInfo, "etcdmain") << "waiting for a quorum to publish this member before serving clients";
    sig = sigtimedwait(&stop_signals, nullptr, &poll_signal);
    if (sig > 0) break;
  }
  if (sig <= 0) {
    (*client)->Start();
    KV_LOG(kInfo, "embed") << "ready to serve client requests";
    for (const auto& u : cfg.listen_client_urls) {
      KV_LOG(kInfo, "embed") << "serving insecure client requests on " << u.host_port
                             << ", this is strongly discouraged!";
    }
  }
  KV_LOG(kInfo, "etcdmain") << "member " << cfg.name << " (" << common::FormatId(sc.member_id)
                            << ") serving clients on " << common::JoinUrls(cfg.listen_client_urls)
                            << ", peers on " << common::JoinUrls(cfg.listen_peer_urls);

  if (sig <= 0) sigwait(&stop_signals, &sig);
  KV_LOG(kInfo, "etcdmain") << "received " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopping";
  KV_LOG(kInfo, "pkg/osutil") << "received " << (sig == SIGTERM ? "terminated" : "interrupt")
                              << " signal, shutting down...";
  // Clients first; the peer listener stays up while a leader hands over.
  (*client)->Stop();
  server.Stop();
  (*peer)->Stop();
  return halted ? 1 : 0;
}
