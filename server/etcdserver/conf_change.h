// Membership changes as they travel in raft ConfChange entries, and how
// applying one rewrites the membership kept in the store (/0). The context
// carries the member's peer URLs and the proposer's request id.
// Plain values and pure functions; the store does the locking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/raft/messages.h"
#include "server/store/store.h"

namespace etcdserver {

struct ConfChangeContext {
  uint64_t request_id = 0;
  std::vector<std::string> peer_urls;  // add and update

  std::string Encode() const;
  static std::optional<ConfChangeContext> Decode(const std::string& bytes);
};

// etcd's checks at apply time, against the membership in the store:
// AlreadyExists "membership: ID exists" / "membership: peerURL exists",
// NotFound "membership: member not found", and for a removed id
// InvalidArgument "membership: ID removed". Beyond etcd, InvalidArgument
// "membership: invalid ID 0" and, past raft::kMaxVoters members,
// "membership: too many members".
common::Status CheckConfChange(store::Store& st, const raft::ConfChange& cc,
                               const ConfChangeContext& ctx);
// Writes an accepted change into /0 (raftAttributes, removed_members).
void ApplyConfChangeToStore(store::Store& st, const raft::ConfChange& cc, const ConfChangeContext& ctx);

}  // namespace etcdserver
