// Storage: raft's read-only view of the durable log, hard state and snapshot.
//
// Raft never writes through this interface; the application persists each
// Ready (entries, hard state, snapshot) itself and raft then reads them back
// here. All methods are called from the raft loop thread only.
//
// Indexes: the log holds entries [FirstIndex(), LastIndex()]. Everything
// before FirstIndex() lives in the snapshot, whose index is FirstIndex() - 1
// and whose term Term(FirstIndex() - 1) must still return.
//
// Errors: kCompacted when the requested index is below the retained log,
// kUnavailable when a snapshot is being prepared (raft retries later). Any
// other error is fatal: raft stops the process rather than limp on.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "server/raft/messages.h"

namespace raft {

struct InitialStateValue {
  HardState hard_state;
  ConfState conf_state;  // the configuration as of the snapshot
};

class Storage {
 public:
  virtual ~Storage() = default;

  virtual common::Result<InitialStateValue> InitialState() const = 0;
  // Entries in [lo, hi), at most max_bytes of entry data, but always at least
  // one entry when lo < hi. kCompacted if lo < FirstIndex(); hi must be at
  // most LastIndex() + 1.
  virtual common::Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi,
                                                     uint64_t max_bytes) const = 0;
  // Term of entry i, for i in [FirstIndex() - 1, LastIndex()]. kCompacted
  // below that range, kUnavailable above it.
  virtual common::Result<uint64_t> Term(uint64_t i) const = 0;
  virtual common::Result<uint64_t> FirstIndex() const = 0;
  virtual common::Result<uint64_t> LastIndex() const = 0;
  // The most recent snapshot; kUnavailable if it is not ready yet.
  virtual common::Result<raft::Snapshot> Snapshot() const = 0;
};

// Size of an entry for the max_bytes limits.
inline uint64_t EntrySize(const Entry& e) { return e.data.size() + 24; }

}  // namespace raft
