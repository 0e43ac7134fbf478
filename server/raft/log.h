// RaftLog: the raft log as one sequence, stitched from the durable Storage
// and the in-memory Unstable part. Not thread-safe; owned by Raft.
//
// Invariants: applied <= committed <= LastIndex(); FirstIndex() - 1 <= applied
// unless a snapshot is pending to be applied.
#pragma once

#include <optional>
#include <vector>

#include "common/status.h"
#include "server/raft/log_unstable.h"
#include "server/raft/storage.h"

namespace raft {

class RaftLog {
 public:
  explicit RaftLog(const Storage* storage);

  uint64_t FirstIndex() const;
  uint64_t LastIndex() const;
  uint64_t LastTerm() const;
  // Term of entry i; kUnavailable beyond the last index; kCompacted below
  // the first index - 1.
  common::Result<uint64_t> Term(uint64_t i) const;
  // Term(i), with 0 for an index compacted or beyond the log.
  uint64_t TermOrZero(uint64_t i) const;
  bool MatchTerm(uint64_t i, uint64_t t) const;
  // Paper §5.4.1: a candidate's log is at least as up-to-date as ours.
  bool IsUpToDate(uint64_t last_index, uint64_t term) const;

  // Follower side of AppendEntries. Returns the index of the last new entry,
  // or nullopt if the entry at `index` does not have `log_term`.
  std::optional<uint64_t> MaybeAppend(uint64_t index, uint64_t log_term, uint64_t commit,
                                      const std::vector<Entry>& ents);
  uint64_t Append(const std::vector<Entry>& ents);
  // Largest index <= index whose term is <= term (used to skip a whole
  // conflicting term at once when probing).
  uint64_t FindConflictByTerm(uint64_t index, uint64_t term) const;

  // Entries [lo, hi) with at most max_bytes (but at least one entry).
  common::Result<std::vector<Entry>> Slice(uint64_t lo, uint64_t hi, uint64_t max_bytes) const;
  common::Result<std::vector<Entry>> EntriesFrom(uint64_t lo, uint64_t max_bytes) const;

  void CommitTo(uint64_t commit);
  bool MaybeCommit(uint64_t max_index, uint64_t term);
  void AppliedTo(uint64_t applied);
  // Entries committed but not applied, up to max_bytes.
  std::vector<Entry> NextCommittedEntries(uint64_t max_bytes) const;
  bool HasNextCommittedEntries() const;

  common::Result<raft::Snapshot> Snapshot() const;
  void Restore(const raft::Snapshot& snap);
  void StableTo(uint64_t i, uint64_t t) { unstable_.StableTo(i, t); }
  void StableSnapTo(uint64_t i) { unstable_.StableSnapTo(i); }

  const Unstable& unstable() const { return unstable_; }
  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }

 private:
  uint64_t FindConflict(const std::vector<Entry>& ents) const;

  const Storage* storage_;
  Unstable unstable_;
  uint64_t committed_;  // highest index known to be stored on a quorum
  uint64_t applied_;    // highest index handed to the application to apply
};

}  // namespace raft
