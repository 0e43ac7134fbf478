#include "server/raft/log.h"

#include <algorithm>

#include "common/log.h"
#include "server/raft/check.h"

namespace raft {

using common::Code;
using common::Result;
using common::Status;

namespace {
// Storage errors other than the two named conditions stop the node.
template <typename T>
T MustOk(Result<T> r) {
  if (!r.ok()) {
    KV_LOG(kError, "raft") << "storage failed: " << r.status().message();
    RAFT_CHECK(r.ok());
  }
  return std::move(r).value();
}
}  // namespace

RaftLog::RaftLog(const Storage* storage)
    : storage_(storage), unstable_(MustOk(storage->LastIndex()) + 1) {
  committed_ = applied_ = MustOk(storage->FirstIndex()) - 1;
}

uint64_t RaftLog::FirstIndex() const {
  if (auto i = unstable_.MaybeFirstIndex()) return *i;
  return MustOk(storage_->FirstIndex());
}

uint64_t RaftLog::LastIndex() const {
  if (auto i = unstable_.MaybeLastIndex()) return *i;
  return MustOk(storage_->LastIndex());
}

uint64_t RaftLog::LastTerm() const {
  auto t = Term(LastIndex());
  RAFT_CHECK(t.ok());
  return *t;
}

Result<uint64_t> RaftLog::Term(uint64_t i) const {
  uint64_t dummy = FirstIndex() - 1;
  if (i < dummy) return Status::Compacted("raft: requested index is compacted");
  // Beyond the log there is no term: nothing may match it (a term of 0
  // would let an append with log term 0 "match" past our last entry).
  if (i > LastIndex()) return Status::Unavailable("raft: requested index is beyond the log");
  if (auto t = unstable_.MaybeTerm(i)) return *t;
  auto t = storage_->Term(i);
  if (t.ok() || t.status().code() == Code::kCompacted ||
      t.status().code() == Code::kUnavailable) {
    return t;
  }
  return MustOk(std::move(t));
}

uint64_t RaftLog::TermOrZero(uint64_t i) const {
  auto t = Term(i);
  return t.ok() ? *t : 0;
}

bool RaftLog::MatchTerm(uint64_t i, uint64_t t) const {
  auto term = Term(i);
  return term.ok() && *term == t;
}

bool RaftLog::IsUpToDate(uint64_t last_index, uint64_t term) const {
  uint64_t our_term = LastTerm();
  return term > our_term || (term == our_term && last_index >= LastIndex());
}

std::optional<uint64_t> RaftLog::MaybeAppend(uint64_t index, uint64_t log_term,
                                             uint64_t commit,
                                             const std::vector<Entry>& ents) {
  if (!MatchTerm(index, log_term)) return std::nullopt;
  uint64_t last_new = index + ents.size();
  uint64_t conflict = FindConflict(ents);
  if (conflict != 0) {
    // Paper Figure 2: delete the existing entry and all that follow it. A
    // conflict inside the committed prefix would mean a safety bug.
    RAFT_CHECK(conflict > committed_);
    std::vector<Entry> rest(ents.begin() + (conflict - index - 1), ents.end());
    Append(rest);
  }
  CommitTo(std::min(commit, last_new));
  return last_new;
}

uint64_t RaftLog::Append(const std::vector<Entry>& ents) {
  if (ents.empty()) return LastIndex();
  RAFT_CHECK(ents.front().index - 1 >= committed_);
  unstable_.TruncateAndAppend(ents);
  return LastIndex();
}

// First entry whose term differs from ours (or that we lack), 0 if none.
uint64_t RaftLog::FindConflict(const std::vector<Entry>& ents) const {
  for (const Entry& e : ents) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

uint64_t RaftLog::FindConflictByTerm(uint64_t index, uint64_t term) const {
  for (; index > 0; --index) {
    auto t = Term(index);
    if (!t.ok()) break;  // compacted: the snapshot index is the best guess
    if (*t <= term) break;
  }
  return index;
}

Result<std::vector<Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi,
                                          uint64_t max_bytes) const {
  RAFT_CHECK(lo <= hi && hi <= LastIndex() + 1);
  if (lo < FirstIndex()) return Status::Compacted("raft: requested index is compacted");
  std::vector<Entry> out;
  if (lo == hi) return out;
  uint64_t offset = unstable_.offset();
  if (lo < offset) {
    auto stored = storage_->Entries(lo, std::min(hi, offset), max_bytes);
    if (!stored.ok()) {
      if (stored.status().code() == Code::kCompacted) return stored.status();
      return MustOk(std::move(stored));
    }
    out = std::move(stored).value();
    // Storage stopped early at the byte limit: do not add unstable entries.
    if (out.size() < std::min(hi, offset) - lo) return out;
  }
  uint64_t size = 0;
  for (const Entry& e : out) size += EntrySize(e);
  if (hi > offset) {
    for (Entry& e : unstable_.Slice(std::max(lo, offset), hi)) {
      size += EntrySize(e);
      if (!out.empty() && size > max_bytes) break;
      out.push_back(std::move(e));
    }
  }
  return out;
}

Result<std::vector<Entry>> RaftLog::EntriesFrom(uint64_t lo, uint64_t max_bytes) const {
  if (lo > LastIndex()) return std::vector<Entry>{};
  return Slice(lo, LastIndex() + 1, max_bytes);
}

void RaftLog::CommitTo(uint64_t commit) {
  if (commit <= committed_) return;  // commit never decreases
  RAFT_CHECK(commit <= LastIndex());
  committed_ = commit;
}

bool RaftLog::MaybeCommit(uint64_t max_index, uint64_t term) {
  // Paper §5.4.2: only entries of the leader's current term are committed by
  // counting replicas.
  if (max_index > committed_ && TermOrZero(max_index) == term) {
    CommitTo(max_index);
    return true;
  }
  return false;
}

void RaftLog::AppliedTo(uint64_t applied) {
  if (applied == 0) return;
  RAFT_CHECK(applied <= committed_ && applied >= applied_);
  applied_ = applied;
}

std::vector<Entry> RaftLog::NextCommittedEntries(uint64_t max_bytes) const {
  uint64_t lo = std::max(applied_ + 1, FirstIndex());
  if (committed_ + 1 <= lo) return {};
  auto ents = Slice(lo, committed_ + 1, max_bytes);
  RAFT_CHECK(ents.ok());  // unapplied entries are never compacted
  return std::move(ents).value();
}

bool RaftLog::HasNextCommittedEntries() const {
  return committed_ + 1 > std::max(applied_ + 1, FirstIndex());
}

Result<raft::Snapshot> RaftLog::Snapshot() const {
  if (unstable_.snapshot()) return *unstable_.snapshot();
  auto s = storage_->Snapshot();
  if (s.ok() || s.status().code() == Code::kUnavailable) return s;
  return MustOk(std::move(s));
}

void RaftLog::Restore(const raft::Snapshot& snap) {
  committed_ = snap.metadata.index;
  unstable_.Restore(snap);
}

}  // namespace raft
