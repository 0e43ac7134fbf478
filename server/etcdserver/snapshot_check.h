// Whether a snapshot a peer sent may be installed: it must decode into a
// store whose membership agrees with the snapshot's configuration. Checked
// before raft sees it, so a malformed snapshot is never persisted (it would
// replace the whole log, and the member could not load its data dir again).
// Pure function; thread-safe (it builds a scratch store of its own).
#pragma once

#include "common/status.h"
#include "server/raft/messages.h"

namespace etcdserver {

// InvalidArgument saying what is wrong, or OK. The metadata's own sanity
// (index, term, sorted voters) is raft::CheckMessage's.
common::Status CheckSnapshot(const raft::Snapshot& snap);

}  // namespace etcdserver
