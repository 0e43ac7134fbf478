// Unstable: entries and a snapshot that raft holds in memory until the
// application reports them persisted (RawNode::Advance).
// Not thread-safe; owned by RaftLog.
//
// Invariants: entries_[i] has index offset_ + i. If snapshot_ is set,
// offset_ == snapshot_->metadata.index + 1.
#pragma once

#include <optional>
#include <vector>

#include "server/raft/messages.h"

namespace raft {

class Unstable {
 public:
  explicit Unstable(uint64_t offset) : offset_(offset) {}

  // Index of the first entry, known only when a snapshot is pending.
  std::optional<uint64_t> MaybeFirstIndex() const;
  std::optional<uint64_t> MaybeLastIndex() const;
  std::optional<uint64_t> MaybeTerm(uint64_t i) const;

  // Entries up to (i, t) are durable; drops them unless they were replaced.
  void StableTo(uint64_t i, uint64_t t);
  void StableSnapTo(uint64_t i);
  void Restore(const Snapshot& snap);
  // Appends, replacing any suffix the new entries conflict with.
  void TruncateAndAppend(const std::vector<Entry>& ents);
  // Entries [lo, hi), which must lie within [offset_, last + 1).
  std::vector<Entry> Slice(uint64_t lo, uint64_t hi) const;

  const std::vector<Entry>& entries() const { return entries_; }
  const std::optional<Snapshot>& snapshot() const { return snapshot_; }
  uint64_t offset() const { return offset_; }

 private:
  std::optional<Snapshot> snapshot_;
  std::vector<Entry> entries_;
  uint64_t offset_;
};

}  // namespace raft
