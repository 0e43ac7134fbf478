// What the v2 discovery client (common/discovery.cc) makes of the discovery
// service's answers: the v2 keys JSON, the token's listing, and the initial
// cluster the registrations add up to. Apart from the HTTP calls so that the
// bytes a discovery service sends can be tested (and fuzzed) directly.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/status.h"

namespace common {

// The v2 client's text for an answer that is not JSON.
inline constexpr char kDiscoveryInvalidJson[] =
    "client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint.";

struct DiscoveryNode {
  std::string key;
  std::string value;
  uint64_t created_index = 0;
  uint64_t modified_index = 0;
};

// One answer of the v2 keys API: a node, or an etcd error (a 4xx answer).
struct DiscoveryAnswer {
  int error_code = 0;  // etcd's errorCode, 0 on success
  std::string error;   // as etcd's client prints it: "100: Key not found (/a) [5]"
  DiscoveryNode node;
  std::vector<DiscoveryNode> children;
  uint64_t index = 0;  // X-Etcd-Index
  bool empty = false;  // 200 without a body: a watch the server ended early
};

// A 5xx answer is a "cluster error" (Unavailable), the kind etcd retries;
// every other answer is what the server said. `what` ("GET url") prefixes
// errors about the answer itself.
Result<DiscoveryAnswer> ParseDiscoveryAnswer(const HttpResponse& r, const std::string& what);

// Decimal digits only, at most 2^64-1 (the size key, X-Etcd-Index).
bool ParseDiscoveryDecimal(const std::string& s, uint64_t* out);

// The last element of a key ("/_etcd/registry/tok/8e9e" -> "8e9e").
std::string DiscoveryBaseName(const std::string& key);

// A token's registrations as one listing shows them.
struct DiscoveryCluster {
  std::vector<DiscoveryNode> nodes;  // by creation order; the first `size` when full
  uint64_t size = 0;
  uint64_t index = 0;  // X-Etcd-Index of the listing: watches start after it
  bool full = false;   // `size` others registered before member `self`
};

// The listing of the token (its _config dir left out) for a cluster of
// `size`, seen by the member whose key is `self` ("" for a proxy).
DiscoveryCluster ReadDiscoveryCluster(DiscoveryAnswer listing, uint64_t size, const std::string& self);

// The initial cluster from the first `size` registrations (etcd's
// nodesToCluster): their values joined, refused when a URL does not parse or
// names repeat.
Result<std::string> DiscoveryNodesToCluster(const std::vector<DiscoveryNode>& nodes, uint64_t size);

}  // namespace common
