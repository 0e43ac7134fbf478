// MemoryStorage: an in-memory raft::Storage for tests and the simulator.
//
// Holds what a real storage would have made durable: the application calls
// SetHardState / Append / ApplySnapshot while handling a Ready, and
// CreateSnapshot / Compact when it decides to compact. Not thread-safe: it is
// owned by the single loop that owns the raft node.
#pragma once

#include <vector>

#include "server/raft/storage.h"

namespace raft {

class MemoryStorage : public Storage {
 public:
  MemoryStorage();
  MemoryStorage(const MemoryStorage&) = delete;
  MemoryStorage& operator=(const MemoryStorage&) = delete;

  common::Result<InitialStateValue> InitialState() const override;
  common::Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi,
                                             uint64_t max_bytes) const override;
  common::Result<uint64_t> Term(uint64_t i) const override;
  common::Result<uint64_t> FirstIndex() const override;
  common::Result<uint64_t> LastIndex() const override;
  common::Result<raft::Snapshot> Snapshot() const override;

  void SetHardState(const HardState& hs) { hard_state_ = hs; }
  const HardState& hard_state() const { return hard_state_; }
  // Replaces the whole log with the snapshot. InvalidArgument if it is older
  // than the current one.
  common::Status ApplySnapshot(const raft::Snapshot& snap);
  // Records a snapshot of the state machine at applied index i (<= last).
  // InvalidArgument if i is not newer than the current snapshot.
  common::Result<raft::Snapshot> CreateSnapshot(uint64_t i, const ConfState& cs,
                                                common::SharedBytes data);
  // Drops entries before compact_index (which must be <= LastIndex()).
  // kCompacted if already compacted that far.
  common::Status Compact(uint64_t compact_index);
  // Appends entries, replacing any conflicting suffix; entries already
  // covered by the snapshot are ignored.
  void Append(const std::vector<Entry>& entries);

 private:
  uint64_t first() const { return ents_[0].index + 1; }
  uint64_t last() const { return ents_[0].index + ents_.size() - 1; }

  HardState hard_state_;
  raft::Snapshot snapshot_;
  // ents_[0] is a dummy entry holding the snapshot's index and term.
  std::vector<Entry> ents_;
};

}  // namespace raft
