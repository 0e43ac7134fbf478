// The initial cluster of a member from DNS SRV records.
#include "server/config/discovery_srv.h"

#include "common/log.h"
#include "common/url.h"
#include "server/config/initial_cluster.h"

namespace config {

common::Status ApplyDiscoverySrv(Config* cfg, const common::DnsOptions& dns) {
  if (cfg->discovery_srv.empty()) return common::Status::OK();
  const bool member_mode = !cfg->IsProxy();
  common::Result<std::string> cluster =
      common::SrvInitialCluster(cfg->discovery_srv, cfg->discovery_srv_name, cfg->name,
                                common::JoinUrls(cfg->initial_advertise_peer_urls), member_mode, dns);
  if (!cluster.ok()) return cluster.status();
  common::Result<UrlsMap> peers = ParseUrlsMap(*cluster);
  if (!peers.ok()) return peers.status();
  KV_LOG(kInfo, "etcdmain") << "got bootstrap from DNS SRV records of " << cfg->discovery_srv << ": "
                            << *cluster;
  cfg->initial_cluster = *cluster;
  // The records may name this member by host where it advertises an address:
  // the cluster knows it by the records' URLs, so it advertises those.
  if (member_mode) cfg->initial_advertise_peer_urls = peers->at(cfg->name);
  return common::Status::OK();
}

}  // namespace config
