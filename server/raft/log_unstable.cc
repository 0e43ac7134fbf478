#include "server/raft/log_unstable.h"

#include "server/raft/check.h"

namespace raft {

std::optional<uint64_t> Unstable::MaybeFirstIndex() const {
  if (snapshot_) return snapshot_->metadata.index + 1;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeLastIndex() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->metadata.index;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeTerm(uint64_t i) const {
  if (i < offset_) {
    if (snapshot_ && snapshot_->metadata.index == i) return snapshot_->metadata.term;
    return std::nullopt;
  }
  auto last = MaybeLastIndex();
  if (!last || i > *last) return std::nullopt;
  if (i - offset_ >= entries_.size()) return std::nullopt;  // i is the snapshot
  return entries_[i - offset_].term;
}

void Unstable::StableTo(uint64_t i, uint64_t t) {
  auto term = MaybeTerm(i);
  // Only drop entries the caller persisted: if (i, t) was since replaced by a
  // newer leader's entry, the new one is not durable yet.
  if (!term || *term != t || i < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + (i + 1 - offset_));
  offset_ = i + 1;
}

void Unstable::StableSnapTo(uint64_t i) {
  if (snapshot_ && snapshot_->metadata.index == i) snapshot_.reset();
}

void Unstable::Restore(const Snapshot& snap) {
  offset_ = snap.metadata.index + 1;
  entries_.clear();
  snapshot_ = snap;
}

void Unstable::TruncateAndAppend(const std::vector<Entry>& ents) {
  if (ents.empty()) return;
  uint64_t after = ents.front().index;
  if (after == offset_ + entries_.size()) {
    // directly follows
  } else if (after <= offset_) {
    // Replaces everything unstable; storage truncates its own suffix when the
    // application persists these entries.
    offset_ = after;
    entries_.clear();
  } else {
    entries_.resize(after - offset_);
  }
  entries_.insert(entries_.end(), ents.begin(), ents.end());
}

std::vector<Entry> Unstable::Slice(uint64_t lo, uint64_t hi) const {
  RAFT_CHECK(lo <= hi && lo >= offset_ && hi <= offset_ + entries_.size());
  return std::vector<Entry>(entries_.begin() + (lo - offset_), entries_.begin() + (hi - offset_));
}

}  // namespace raft
