// The discovery-token source: etcd's join protocol; see sources.h.
#include "common/discovery.h"
#include "common/log.h"
#include "common/member_id.h"
#include "common/url.h"
#include "discovery-agent/sources.h"

namespace agent {
namespace {

using common::Result;
using common::Status;

bool Expired(Deadline deadline) { return std::chrono::steady_clock::now() >= deadline; }

}  // namespace

Result<Bootstrap> JoinDiscoveryToken(const Settings& s, Deadline deadline) {
  Result<std::vector<common::Url>> urls = common::ParseUrls(s.advertise_peer_urls);
  if (!urls.ok()) return Status::InvalidArgument("--initial-advertise-peer-urls: " + urls.status().message());
  // etcd registers "name=url" for each advertised URL, sorted, and hashes the
  // member ID with the discovery URL itself as the cluster token.
  std::string registration;
  for (const std::string& u : common::SortedUrlStrings(*urls)) {
    registration += (registration.empty() ? "" : ",") + s.name + "=" + u;
  }
  uint64_t id = common::MemberId(*urls, s.discovery);
  common::DiscoveryOptions options;
  options.proxy = s.discovery_proxy;
  options.stop = [deadline] { return Expired(deadline); };

  Bootstrap b{"", "new", s.discovery, s.proxy};
  Result<std::string> cluster = Status::Internal("unset");
  if (s.proxy != "off") {
    KV_LOG(kInfo, "agent") << "waiting for the cluster of discovery token " << s.discovery << " (as a proxy)";
    cluster = common::DiscoveryGetCluster(s.discovery, options);
  } else {
    KV_LOG(kInfo, "agent") << "registering " << registration << " (member " << common::FormatId(id)
                           << ") at discovery token " << s.discovery << " and waiting for the cluster to fill";
    cluster = common::DiscoveryJoin(s.discovery, id, registration, options);
    if (!cluster.ok() && common::IsDiscoveryClusterFull(cluster.status())) {
      if (s.discovery_fallback == "exit") return cluster.status();
      KV_LOG(kInfo, "agent") << "discovery: cluster is full; starting as a proxy (--discovery-fallback=proxy)";
      b.proxy = "on";
      cluster = common::DiscoveryGetCluster(s.discovery, options);
    }
  }
  if (!cluster.ok()) {
    if (cluster.status().code() == common::Code::kTimeout) {
      return Status::Timeout("timed out waiting for discovery token " + s.discovery + ": " +
                             cluster.status().message());
    }
    return cluster.status();
  }
  b.initial_cluster = *cluster;
  return b;
}

}  // namespace agent
