// etcd's strict reconfiguration check (--strict-reconfig-check, on by
// default): a member change is refused before it is proposed when it could
// leave the cluster without a working quorum. Facts:
// ../shared/spec/members-and-stats.md section 3.
//
// Pure functions over the member list and the transport's view of which peers
// have been reachable since when; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "server/etcdserver/membership.h"

namespace etcdserver {

// How long every peer must have been reachable before a member is added
// (etcd's HealthInterval).
inline constexpr std::chrono::seconds kReconfigHealthInterval{5};

// When a peer became reachable without a break since; a zero time_point when
// it is not reachable now.
using ActiveSinceFn = std::function<std::chrono::steady_clock::time_point(uint64_t peer)>;

// Adding a voting member: the started members must be a quorum of the grown
// cluster (or the one started member of a cluster of one), and `self` must
// have reached every other member without a break for the health interval
// (a member added but not started yet is not reachable, so a second add
// waits until the first has started).
bool ReadyToAddMember(const std::vector<Member>& members, uint64_t self, const ActiveSinceFn& active_since,
                      std::chrono::steady_clock::time_point now);

// Removing `target`: the other started members must be a quorum of what
// remains and, unless `target` is down already, the members reachable for
// the health interval (self included) but for `target` must be one.
bool ReadyToRemoveMember(const std::vector<Member>& members, uint64_t self, uint64_t target,
                         const ActiveSinceFn& active_since, std::chrono::steady_clock::time_point now);

}  // namespace etcdserver
