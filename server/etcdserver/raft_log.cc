#include "server/etcdserver/raft_log.h"

#include "common/bytes.h"
#include "server/raft/validate.h"

namespace etcdserver {
namespace {

using common::Result;
using common::Status;

constexpr uint64_t kRestoreChunkBytes = 64 << 20;

storage::LogEntry ToDisk(const raft::Entry& e) {
  return storage::LogEntry{e.index, e.term,
                           e.type == raft::EntryType::kConfChange ? storage::EntryType::kConfChange
                                                                  : storage::EntryType::kNormal,
                           e.data};
}

raft::Entry FromDisk(storage::LogEntry e) {
  return raft::Entry{e.term, e.index,
                     e.type == storage::EntryType::kConfChange ? raft::EntryType::kConfChange
                                                               : raft::EntryType::kNormal,
                     std::move(e.data)};
}

}  // namespace

std::string EncodeConfState(const raft::ConfState& cs) {
  common::ByteWriter w;
  w.PutVarint(cs.voters.size());
  for (raft::NodeId id : cs.voters) w.PutVarint(id);
  return std::move(w.str());
}

Result<raft::ConfState> DecodeConfState(const std::string& bytes) {
  common::ByteReader r(bytes);
  raft::ConfState cs;
  uint64_t n = r.GetVarint();
  for (uint64_t i = 0; i < n && !r.failed(); ++i) cs.voters.push_back(r.GetVarint());
  if (r.failed() || !r.done()) return Status::Corruption("undecodable snapshot configuration");
  return cs;
}

bool RaftLog::Empty() {
  auto last = disk_.LastIndex();
  return last.ok() && *last == 0;
}

Result<raft::Snapshot> RaftLog::Restore() {
  raft::Snapshot snap;
  auto stored = disk_.LoadSnapshot();
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    auto cs = DecodeConfState((*stored)->conf_state);
    if (!cs.ok()) return cs.status();
    snap.metadata = raft::SnapshotMetadata{(*stored)->index, (*stored)->term, *cs};
    snap.data = std::move((*stored)->data);
    Status s = memory_.ApplySnapshot(snap);
    if (!s.ok()) return s;
    snapshot_index_ = snap.metadata.index;
  }
  auto last = disk_.LastIndex();
  if (!last.ok()) return last.status();
  for (uint64_t next = snapshot_index_ + 1; next <= *last;) {
    auto entries = disk_.Entries(next, *last + 1, kRestoreChunkBytes);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) return Status::Corruption("log entry " + std::to_string(next) + " is missing");
    std::vector<raft::Entry> batch;
    for (auto& e : *entries) batch.push_back(FromDisk(std::move(e)));
    next += batch.size();
    memory_.Append(batch);
  }
  auto hs = disk_.LoadHardState();
  if (!hs.ok()) return hs.status();
  // Raft would stop on these (a broken invariant); say what is wrong instead.
  if (hs->commit > *last || hs->term > raft::kMaxTerm) {
    return Status::Corruption("hard state (term " + std::to_string(hs->term) + ", commit " + std::to_string(hs->commit) +
                              ") does not fit the log (last index " + std::to_string(*last) + ")");
  }
  memory_.SetHardState(raft::HardState{hs->term, hs->vote, hs->commit});
  written_ = latest_ = raft::HardState{hs->term, hs->vote, hs->commit};
  return snap;
}

Status RaftLog::Persist(const std::optional<raft::HardState>& hard_state,
                        const std::vector<raft::Entry>& entries, const raft::Snapshot& snapshot,
                        Done done) {
  storage::Write w;
  if (!hard_state && entries.empty() && snapshot.IsEmpty()) {
    writer_.Submit(std::move(w), std::move(done));  // a barrier
    return Status::OK();
  }
  w.entries.reserve(entries.size());
  for (const auto& e : entries) w.entries.push_back(ToDisk(e));
  if (hard_state) latest_ = hard_state;
  w.hard_state = HardStateToWrite(!snapshot.IsEmpty());
  if (!snapshot.IsEmpty()) {
    Status s = memory_.ApplySnapshot(snapshot);
    if (!s.ok()) return s;
    snapshot_index_ = snapshot.metadata.index;
    w.snapshot = storage::SnapshotRecord{snapshot.metadata.index, snapshot.metadata.term,
                                         EncodeConfState(snapshot.metadata.conf_state), snapshot.data};
    w.compact_to = snapshot.metadata.index;
  }
  memory_.Append(entries);
  if (hard_state) memory_.SetHardState(*hard_state);
  writer_.Submit(std::move(w), std::move(done));
  return Status::OK();
}

void RaftLog::DeferHardState(const raft::HardState& hard_state) {
  memory_.SetHardState(hard_state);
  latest_ = hard_state;
}

std::optional<storage::HardState> RaftLog::HardStateToWrite(bool with_snapshot) {
  if (!latest_) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  bool vote_changed = !written_ || latest_->term != written_->term || latest_->vote != written_->vote;
  bool commit_due = written_ && latest_->commit != written_->commit && now - written_at_ >= kCommitWriteInterval;
  // A snapshot on disk needs a commit index at least its own.
  if (!vote_changed && !commit_due && !with_snapshot) return std::nullopt;
  written_ = latest_;
  written_at_ = now;
  return storage::HardState{latest_->term, latest_->vote, latest_->commit};
}

Status RaftLog::Snapshot(uint64_t index, const raft::ConfState& cs, std::string data, uint64_t keep,
                         Done done) {
  auto term = memory_.Term(index);
  if (!term.ok()) return term.status();
  common::SharedBytes shared(std::move(data));  // one buffer for raft and the disk write
  storage::Write w;
  w.hard_state = HardStateToWrite(true);
  w.snapshot = storage::SnapshotRecord{index, *term, EncodeConfState(cs), shared};
  auto created = memory_.CreateSnapshot(index, cs, std::move(shared));
  if (!created.ok()) return created.status();
  snapshot_index_ = index;
  if (index > keep) {
    uint64_t compact = index - keep;
    w.compact_to = compact - 1;
    Status s = memory_.Compact(compact);
    if (!s.ok() && s.code() != common::Code::kCompacted) return s;
  }
  writer_.Submit(std::move(w), std::move(done));
  return Status::OK();
}

}  // namespace etcdserver
