// The initial cluster of a member from DNS SRV records.
#include "server/config/discovery_srv.h"

#include "common/log.h"
#include "common/url.h"

namespace config {

common::Status ApplyDiscoverySrv(Config* cfg, const common::DnsOptions& dns) {
  if (cfg->discovery_srv.empty()) return common::Status::OK();
  common::Result<std::string> cluster =
      common::SrvInitialCluster(cfg->discovery_srv, cfg->discovery_srv_name, cfg->name,
                                common::JoinUrls(cfg->initial_advertise_peer_urls), !cfg->IsProxy(), dns);
  if (!cluster.ok()) return cluster.status();
  KV_LOG(kInfo, "etcdmain") << "got bootstrap from DNS SRV records of " << cfg->discovery_srv << ": "
                            << *cluster;
  cfg->initial_cluster = *cluster;
  return common::Status::OK();
}

}  // namespace config
