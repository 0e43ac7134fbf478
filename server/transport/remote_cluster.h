// Asking a running cluster who its members are, as a member joining with
// --initial-cluster-state existing does (GET <peer-url>/members): the answer
// gives the cluster id and every member's id and peer URLs.
// Blocking HTTP (cpp-httplib); call it before the server starts.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace transport {

struct RemoteMember {
  uint64_t id = 0;
  std::string name;
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
};

struct RemoteCluster {
  uint64_t cluster_id = 0;
  std::vector<RemoteMember> members;
};

// Tries each peer URL in turn; the first that answers wins. Errors name every
// URL tried.
common::Result<RemoteCluster> FetchRemoteCluster(const std::vector<std::string>& peer_urls,
                                                 std::chrono::milliseconds timeout);

}  // namespace transport
