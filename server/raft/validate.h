// Checks on a message from a peer that need no raft state: the fields a
// correct sender always produces (paper Figure 2 read as preconditions).
// A message that fails them is refused before it touches any state, so
// remote data never reaches an invariant check (RAFT_CHECK) and no
// arithmetic on its terms and indexes can overflow. Pure functions.
//
// The bounds are far beyond what real clusters reach: a term or index above
// 2^62 would take billions of years of elections or writes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/status.h"
#include "server/raft/messages.h"

namespace raft {

constexpr uint64_t kMaxTerm = uint64_t{1} << 62;
constexpr uint64_t kMaxIndex = uint64_t{1} << 62;
// How far above our term a message may be (Raft::Step): more than a member
// partitioned away for decades could reach by campaigning without pre-vote,
// small enough that term arithmetic never nears overflow.
constexpr uint64_t kMaxTermJump = uint64_t{1} << 32;
// Contexts are read-index request ids or a campaign kind: a few bytes.
constexpr size_t kMaxContextBytes = 256;
// Voters in a snapshot's configuration.
constexpr size_t kMaxVoters = 1024;

// InvalidArgument naming the first field that no correct peer would send.
common::Status CheckMessage(const Message& m);

}  // namespace raft
