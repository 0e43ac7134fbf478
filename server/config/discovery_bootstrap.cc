#include "server/config/discovery_bootstrap.h"

#include "common/discovery.h"
#include "common/log.h"
#include "common/member_id.h"

namespace config {
namespace {

using common::Status;

// etcd's wrapping of a discovery failure, with the advice etcd logs after it.
Status JoinError(const Config& cfg, const Status& s) {
  const std::string what = "failed to join discovery cluster (" + s.message() + ")";
  if (common::IsDiscoveryClusterFull(s)) return Status::AlreadyExists(what);
  if (s.code() == common::Code::kTimeout) return s;  // stopped by a signal
  std::string advice;
  if (s.message() == common::kDiscoveryDuplicateId) {
    advice = "this member registered with the token before but has no data in " + cfg.data_dir +
             ": check --data-dir, or use a new token if that bootstrap failed";
  } else if (s.message() == common::kDiscoveryDuplicateName) {
    advice = "two members registered as the same name: do not reuse a token, generate a new one";
  } else if (s.message() == "discovery: size key not found") {
    advice = "set the cluster size first: curl -X PUT " + cfg.discovery + "/_config/size -d value=3";
  } else if (s.message().rfind("discovery: bad discovery URL", 0) == 0) {
    advice = "--discovery takes http(s)://host:port/path-of-the-token";
  } else {
    advice = "generate a new discovery token and try again";
  }
  return Status(s.code(), what + ": " + advice);
}

}  // namespace

Status JoinDiscoveryCluster(const Config& cfg, const std::function<bool()>& stop, UrlsMap* peers) {
  if (cfg.discovery.empty()) return Status::OK();
  common::DiscoveryOptions options;
  options.proxy = cfg.discovery_proxy;
  options.stop = stop;
  if (!cfg.discovery_proxy.empty()) KV_LOG(kInfo, "discovery") << "using proxy " << cfg.discovery_proxy;
  const uint64_t id = common::MemberId(cfg.initial_advertise_peer_urls, cfg.discovery);
  common::Result<std::string> found =
      common::DiscoveryJoin(cfg.discovery, id, UrlsMapString({{cfg.name, cfg.initial_advertise_peer_urls}}), options);
  if (!found.ok()) return JoinError(cfg, found.status());
  common::Result<UrlsMap> cluster = ParseUrlsMap(*found);
  if (!cluster.ok()) return JoinError(cfg, cluster.status());
  if (HasDuplicateUrl(*cluster)) {
    return Status::InvalidArgument("discovery cluster " + UrlsMapString(*cluster) + " has duplicate url");
  }
  KV_LOG(kInfo, "discovery") << "initial cluster from " << cfg.discovery << ": " << UrlsMapString(*cluster);
  *peers = std::move(cluster).value();
  return Status::OK();
}

bool FallsBackToProxy(const Config& cfg, const Status& s) {
  return cfg.discovery_fallback == "proxy" &&
         s.message() == std::string("failed to join discovery cluster (") + common::kDiscoveryClusterFull + ")";
}

}  // namespace config
