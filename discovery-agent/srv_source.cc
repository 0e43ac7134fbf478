// The DNS SRV source: look the records up until they name this member; see sources.h.
#include <algorithm>
#include <thread>

#include "common/dns_srv.h"
#include "common/log.h"
#include "discovery-agent/sources.h"

namespace agent {

namespace {
constexpr auto kSrvRetryInterval = std::chrono::seconds(1);
}  // namespace

common::Result<Bootstrap> LookupSrvCluster(const Settings& s, Deadline deadline) {
  const common::DnsOptions dns = common::DnsOptions::FromEnvironment();
  const bool member = s.proxy == "off";
  while (true) {
    common::Result<std::string> cluster = common::SrvInitialCluster(
        s.discovery_srv, s.discovery_srv_name, s.name, s.advertise_peer_urls, member, dns);
    if (cluster.ok()) return Bootstrap{*cluster, s.initial_cluster_state, s.initial_cluster_token, s.proxy};
    // Every failure is retried: missing records, or records without this
    // member, are what a cluster being born looks like until DNS catches up.
    if (std::chrono::steady_clock::now() >= deadline) {
      return common::Status::Timeout("timed out waiting for the DNS SRV records of " + s.discovery_srv + ": " +
                                     cluster.status().message());
    }
    KV_LOG(kInfo, "agent") << "waiting for the DNS SRV records of " << s.discovery_srv << ": "
                           << cluster.status().message();
    std::this_thread::sleep_until(std::min(deadline, std::chrono::steady_clock::now() + kSrvRetryInterval));
  }
}

}  // namespace agent
