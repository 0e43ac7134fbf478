// Progress: the leader's view of one follower's log (paper: nextIndex and
// matchIndex), plus flow control. Not thread-safe; owned by Raft.
//
// States (see etcd's raft design notes):
//   kProbe     we do not know where the logs agree: send one append per
//              heartbeat interval and wait for the answer.
//   kReplicate the follower is caught up: stream appends optimistically, at
//              most Inflights::capacity() unacknowledged messages.
//   kSnapshot  a snapshot was sent; send nothing until it is reported.
// Invariant: match < next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace raft {

enum class ProgressState : uint8_t { kProbe, kReplicate, kSnapshot };
const char* ProgressStateName(ProgressState s);

// The last indexes of the append messages sent but not yet acknowledged.
class Inflights {
 public:
  explicit Inflights(size_t capacity) : capacity_(capacity) {}
  void Add(uint64_t last_index) { indexes_.push_back(last_index); }
  // Frees every message whose last index is <= index.
  void FreeLE(uint64_t index) {
    while (!indexes_.empty() && indexes_.front() <= index) indexes_.pop_front();
  }
  void FreeFirstOne() {
    if (!indexes_.empty()) indexes_.pop_front();
  }
  bool Full() const { return indexes_.size() >= capacity_; }
  size_t Count() const { return indexes_.size(); }
  void Reset() { indexes_.clear(); }

 private:
  size_t capacity_;
  std::deque<uint64_t> indexes_;  // bounded by capacity_: Add only when !Full()
};

struct Progress {
  Progress(uint64_t next_index, size_t max_inflight) : next(next_index), inflights(max_inflight) {}

  // Returns true if n acknowledged something new.
  bool MaybeUpdate(uint64_t n);
  // Replicate state: assume the append of entries up to n will succeed.
  void OptimisticUpdate(uint64_t n) { next = n + 1; }
  // The follower rejected an append at `rejected`; match_hint is its guess of
  // the last agreeing index. False if the rejection is stale.
  bool MaybeDecrTo(uint64_t rejected, uint64_t match_hint);
  bool IsPaused() const;
  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(uint64_t snapshot_index);

  uint64_t match = 0;
  uint64_t next;
  ProgressState state = ProgressState::kProbe;
  bool probe_sent = false;        // kProbe: one append is in flight
  uint64_t pending_snapshot = 0;  // kSnapshot: index of the snapshot sent
  bool recent_active = false;     // heard from within the election timeout
  Inflights inflights;

 private:
  void ResetState(ProgressState s);
};

}  // namespace raft
