// The check every MsgSnap from a peer passes before any of it reaches raft,
// the log or the store: its metadata is sane and its data decodes into a
// store. A bad one is refused (its sender is told 400) and this member goes
// on; before this check, a garbage snapshot was persisted, compacted the
// log and left a data dir that no restart could load.
//
// Pure (it decodes into a scratch store of its own, freed before it
// returns: for a moment the memory of a second store); thread-safe.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "server/raft/messages.h"

namespace etcdserver {

// InvalidArgument saying what is wrong. `local_id` is the member checking.
common::Status CheckSnapshotMessage(const raft::Message& m, uint64_t local_id);

}  // namespace etcdserver
