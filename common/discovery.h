// etcd's v2 discovery protocol, client side: a member joins a discovery token
// (`--discovery URL`) and learns the initial cluster from it; a proxy reads the
// cluster without registering. Spec: ../shared/spec/clustering.md section 3.
// Used by the server (--discovery) and the discovery agent.
//
// The calls block (watches, retry backoff) until done, failed or cancelled.
// Thread-safe: calls share no state.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace common {

// etcd's error texts; the message of the Status a call fails with.
inline constexpr char kDiscoveryClusterFull[] = "discovery: cluster is full";
inline constexpr char kDiscoveryDuplicateId[] = "discovery: found duplicate id";
inline constexpr char kDiscoveryDuplicateName[] = "discovery: found duplicate name";

struct DiscoveryOptions {
  std::string proxy;           // --discovery-proxy ("" = direct); "host:port" gets http:// prepended
  std::function<bool()> stop;  // polled while waiting; true ends the call with a Timeout status
  // The n-th retry after a connection-level failure waits 2^min(n, 8) units
  // (etcd: 1 s, so 2 s, 4 s, ... 256 s). Tests shorten it.
  std::chrono::milliseconds backoff_unit{std::chrono::seconds(1)};
};

// Steps 1-7 of the member join sequence: registers `member_id` (hex key) with
// value `registration` (the sorted "name=peerURL" pairs joined by ","), waits
// for the cluster to fill, and returns the initial cluster ("name=url,...").
// Retries connection-level failures with etcd's backoff.
Result<std::string> DiscoveryJoin(const std::string& discovery_url, uint64_t member_id,
                                  const std::string& registration, const DiscoveryOptions& options);

// Proxy mode: steps 1-2 and 6-7 without registering.
Result<std::string> DiscoveryGetCluster(const std::string& discovery_url, const DiscoveryOptions& options);

inline bool IsDiscoveryClusterFull(const Status& s) { return s.message() == kDiscoveryClusterFull; }

}  // namespace common
