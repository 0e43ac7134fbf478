#include "server/raft/memory_storage.h"

#include "server/raft/check.h"

namespace raft {

using common::Result;
using common::Status;

MemoryStorage::MemoryStorage() : ents_(1) {}

Result<InitialStateValue> MemoryStorage::InitialState() const {
  return InitialStateValue{hard_state_, snapshot_.metadata.conf_state};
}

Result<std::vector<Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi,
                                                  uint64_t max_bytes) const {
  if (lo < first()) return Status::Compacted("raft: requested index is compacted");
  RAFT_CHECK(hi <= last() + 1 && lo <= hi);
  std::vector<Entry> out;
  uint64_t size = 0;
  for (uint64_t i = lo; i < hi; ++i) {
    const Entry& e = ents_[i - ents_[0].index];
    size += EntrySize(e);
    if (!out.empty() && size > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

Result<uint64_t> MemoryStorage::Term(uint64_t i) const {
  if (i < ents_[0].index) return Status::Compacted("raft: requested index is compacted");
  if (i > last()) return Status::Unavailable("raft: requested entry is unavailable");
  return ents_[i - ents_[0].index].term;
}

Result<uint64_t> MemoryStorage::FirstIndex() const { return first(); }
Result<uint64_t> MemoryStorage::LastIndex() const { return last(); }
Result<raft::Snapshot> MemoryStorage::Snapshot() const { return snapshot_; }

Status MemoryStorage::ApplySnapshot(const raft::Snapshot& snap) {
  if (snap.metadata.index <= snapshot_.metadata.index) {
    return Status::InvalidArgument("raft: snapshot is out of date");
  }
  snapshot_ = snap;
  ents_.assign(1, Entry{snap.metadata.term, snap.metadata.index, EntryType::kNormal, {}});
  return Status::OK();
}

Result<raft::Snapshot> MemoryStorage::CreateSnapshot(uint64_t i, const ConfState& cs,
                                                     common::SharedBytes data) {
  if (i <= snapshot_.metadata.index) {
    return Status::InvalidArgument("raft: snapshot is out of date");
  }
  RAFT_CHECK(i <= last());
  snapshot_.metadata.index = i;
  snapshot_.metadata.term = ents_[i - ents_[0].index].term;
  snapshot_.metadata.conf_state = cs;
  snapshot_.data = std::move(data);
  return snapshot_;
}

Status MemoryStorage::Compact(uint64_t compact_index) {
  if (compact_index <= ents_[0].index) {
    return Status::Compacted("raft: requested index is compacted");
  }
  RAFT_CHECK(compact_index <= last());
  uint64_t offset = compact_index - ents_[0].index;
  Entry dummy{ents_[offset].term, ents_[offset].index, EntryType::kNormal, {}};
  ents_.erase(ents_.begin(), ents_.begin() + offset);
  ents_[0] = dummy;
  return Status::OK();
}

void MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return;
  size_t skip = 0;
  while (skip < entries.size() && entries[skip].index < first()) ++skip;
  if (skip == entries.size()) return;
  uint64_t start = entries[skip].index;
  RAFT_CHECK(start <= last() + 1);  // no holes in the log
  ents_.resize(start - ents_[0].index);  // truncate the conflicting suffix
  ents_.insert(ents_.end(), entries.begin() + skip, entries.end());
}

}  // namespace raft
