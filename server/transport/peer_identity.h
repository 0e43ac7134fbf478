// Who talks to whom on the peer port, and the headers every request from
// this member to a peer carries (etcd's X-Etcd-Cluster-Id, X-Server-From).
// Plain value. Private to server/transport.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/member_id.h"

namespace transport {

struct PeerIdentity {
  uint64_t local_id = 0;
  uint64_t cluster_id = 0;
  uint64_t peer_id = 0;

  std::vector<std::pair<std::string, std::string>> Headers() const {
    return {{"X-Etcd-Cluster-Id", common::FormatId(cluster_id)}, {"X-Server-From", common::FormatId(local_id)}};
  }
};

}  // namespace transport
