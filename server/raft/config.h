// Config: the parameters of one raft node. Plain value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/status.h"
#include "server/raft/messages.h"
#include "server/raft/rng.h"
#include "server/raft/storage.h"

namespace raft {

struct Config {
  NodeId id = kNone;
  // A follower campaigns after a random timeout in [election_ticks,
  // 2 * election_ticks) ticks without hearing from a leader.
  int election_ticks = 10;
  int heartbeat_ticks = 1;  // leader heartbeat interval; must be < election_ticks
  const Storage* storage = nullptr;  // not owned; must outlive the node
  Rng* rng = nullptr;                // not owned; must outlive the node
  // The last index the application has applied (after a restart, the index
  // of the state it restored). Entries after it are delivered again.
  uint64_t applied = 0;
  uint64_t max_size_per_msg = 1 << 20;  // bytes of entries per append message
  uint64_t max_committed_size_per_ready = 64 << 20;  // bytes of entries per Ready
  size_t max_inflight_msgs = 256;  // unacknowledged appends per follower
  bool check_quorum = true;  // leader steps down without a quorum; leader lease
  bool pre_vote = false;     // ask for pre-votes before bumping the term

  common::Status Validate() const {
    if (id == kNone) return common::Status::InvalidArgument("raft: id must not be 0");
    if (heartbeat_ticks <= 0) return common::Status::InvalidArgument("raft: heartbeat_ticks must be > 0");
    if (election_ticks <= heartbeat_ticks) {
      return common::Status::InvalidArgument("raft: election_ticks must be > heartbeat_ticks");
    }
    if (storage == nullptr) return common::Status::InvalidArgument("raft: storage is required");
    if (rng == nullptr) return common::Status::InvalidArgument("raft: rng is required");
    if (max_inflight_msgs == 0) return common::Status::InvalidArgument("raft: max_inflight_msgs must be > 0");
    return common::Status::OK();
  }
};

}  // namespace raft
