// The agent's three bootstrap sources, each waiting (bounded by a deadline,
// logging what it waits for) until the cluster's peers are known:
//   static list  every peer URL's host resolves (in compose, a service name
//                resolves only once its container exists);
//   token        etcd's discovery protocol (common/discovery.h);
//   DNS SRV      the SRV records name this member (common/dns_srv.h).
// Each call blocks the calling thread; calls share no state (thread-safe).
#pragma once

#include <chrono>

#include "common/status.h"
#include "discovery-agent/plan.h"

namespace agent {

using Deadline = std::chrono::steady_clock::time_point;

common::Result<Bootstrap> WaitForStaticPeers(const Settings& s, Deadline deadline);
common::Result<Bootstrap> JoinDiscoveryToken(const Settings& s, Deadline deadline);
common::Result<Bootstrap> LookupSrvCluster(const Settings& s, Deadline deadline);

}  // namespace agent
