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

// The answer to GET /members: the X-Etcd-Cluster-Id header and the JSON body
// (an array of {"id":N,"name":...,"peerURLs":[...],"clientURLs":[...]}).
// Members without a numeric id are skipped; an answer with none is an error.
common::Result<RemoteCluster> ParseRemoteCluster(const std::string& cluster_header, const std::string& body);

// Tries each peer URL in turn; the first that answers wins. Errors name every
// URL tried.
common::Result<RemoteCluster> FetchRemoteCluster(const std::vector<std::string>& peer_urls,
                                                 std::chrono::milliseconds timeout);

}  // namespace transport
