// --discovery-srv for a member: the initial cluster from DNS SRV records
// (common/srv_discovery.h has the rules). Thread-safe (no shared state).
#pragma once

#include "common/dns_srv.h"
#include "common/status.h"
#include "server/config/config.h"

namespace config {

// With --discovery-srv set, looks up the domain's peer records and sets
// cfg->initial_cluster from them; the rest of bootstrap then runs as for a
// static cluster (token: --initial-cluster-token), with this member advertising
// the peer URLs the records give it. Without --discovery-srv, does nothing.
common::Status ApplyDiscoverySrv(Config* cfg, const common::DnsOptions& dns);

}  // namespace config
