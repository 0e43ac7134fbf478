// The check a snapshot from a peer passes before any of it reaches raft, the
// log or the store: its data decodes into a store whose membership agrees
// with the snapshot's configuration. A bad one is refused (its sender is told
// 400) and this member goes on; before this check, a garbage snapshot was
// persisted, replaced the whole log and left a data dir no restart could load.
//
// Both ways a MsgSnap arrives (a /raft batch, a complete /raft/snapshot
// upload) reach it through EtcdServer::Receive, after the transport's checks
// of every message (sender, addressee, raft::CheckMessage: index, term,
// voters sorted, unique and at most raft::kMaxVoters).
//
// Pure (it decodes into a scratch store of its own, freed before it returns:
// for a moment the memory of a second store); thread-safe.
#pragma once

#include "common/status.h"
#include "server/raft/messages.h"

namespace etcdserver {

// InvalidArgument saying what is wrong, or OK.
common::Status CheckSnapshot(const raft::Snapshot& snap);

}  // namespace etcdserver
