// --discovery on the server: a member without a data dir joins the discovery
// token (its ID hashed with the discovery URL as the cluster token) and takes
// the initial cluster it finds there (a restarted member never asks: main
// takes its identity from the data dir, as etcd). Errors are one line, in
// etcd's words ("failed to join discovery cluster (...)") plus what to do
// about them. Thread-safe: no state.
#pragma once

#include <functional>

#include "common/status.h"
#include "server/config/config.h"
#include "server/config/initial_cluster.h"

namespace config {

// With cfg.discovery set, replaces *peers (this member alone,
// from PeerUrlsMapAndToken) with the cluster found through the token; blocks
// until the token is complete or `stop` returns true (a Timeout status).
// Without --discovery it does nothing.
common::Status JoinDiscoveryCluster(const Config& cfg, const std::function<bool()>& stop, UrlsMap* peers);

// True when JoinDiscoveryCluster failed on a full token and the member should
// run as a proxy instead (--discovery-fallback proxy, etcd's default).
bool FallsBackToProxy(const Config& cfg, const common::Status& s);

}  // namespace config
