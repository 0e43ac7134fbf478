// --force-new-cluster: the membership changes that turn a member of a lost
// cluster into the one member of a new one, as etcd's restartAsStandaloneNode
// makes them. They travel as ordinary conf change entries appended to the log
// as committed, so the change is durable and a member added later replays
// the same history. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/etcdserver/membership.h"
#include "server/raft/messages.h"

namespace etcdserver {

// Removes every voter and member but `self`; adds `self` with `peer_urls`
// when it is not a member (a data dir made by `kvraftctl backup` has a new
// member id), or updates its peer URLs when they changed (the member moved).
// Removals come first, so the URLs of a removed member are free again.
std::vector<raft::ConfChange> StandaloneChanges(const std::vector<uint64_t>& voters,
                                                const std::vector<Member>& members, uint64_t self,
                                                const std::vector<std::string>& peer_urls);

// `changes` as log entries from index `first` on, all in `term`.
std::vector<raft::Entry> ConfChangeEntries(const std::vector<raft::ConfChange>& changes, uint64_t term,
                                           uint64_t first);

}  // namespace etcdserver
