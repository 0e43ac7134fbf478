// TestNode: one simulated raft member for tests: a RawNode, the
// MemoryStorage that plays its disk, and a tiny state machine. Crash()
// throws away everything that was not persisted through a Ready; Restart()
// rebuilds the node from its storage. Single-threaded, like the real loop.
//
// In async mode the node persists like a server with a log writer thread
// (RawNode::AdvanceBeforePersist): a Ready reaches storage() (what raft
// reads) at once, but only a second MemoryStorage, the disk, survives a
// crash; queued writes reach the disk in order when the caller completes
// them (CompleteDue), and only then go their held messages out and does
// raft hear OnPersisted.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "server/raft/memory_storage.h"
#include "server/raft/raw_node.h"
#include "server/raft/rng.h"

namespace raft_test {

using raft::NodeId;

// The state machine: every applied normal entry folds into a digest, so two
// members applied the same sequence iff they have the same (index, digest).
struct StateMachine {
  uint64_t applied = 0;
  uint64_t digest = 0;
  raft::ConfState conf_state;
  std::vector<raft::Entry> entries;  // applied since the last restore, for assertions

  void Apply(const raft::Entry& e);
  std::string Encode() const;
  void Restore(const raft::Snapshot& snap);
};

class TestNode {
 public:
  using Tweak = std::function<void(raft::Config&)>;
  TestNode(NodeId id, uint64_t seed, Tweak tweak = {}, bool async = false);
  TestNode(const TestNode&) = delete;
  TestNode& operator=(const TestNode&) = delete;

  void Bootstrap(const std::vector<NodeId>& peers);
  NodeId id() const { return id_; }
  bool up() const { return node_ != nullptr; }
  raft::RawNode& raw() { return *node_; }
  const raft::RawNode& raw() const { return *node_; }
  raft::MemoryStorage& storage() { return *storage_; }
  const StateMachine& sm() const { return sm_; }
  // Every read state this node's Readies delivered.
  const std::vector<raft::ReadState>& read_states() const { return read_states_; }

  bool async() const { return disk_ != nullptr; }
  // Drops the RawNode and the volatile state machine; the storage survives,
  // except a hard state written without must_sync (only the commit index
  // changed), which a crash loses. In async mode only the disk survives:
  // the first `flushed` queued writes reach it (the process died before it
  // heard they were done), the others are lost.
  void Crash(size_t flushed = 0);
  // A fresh RawNode from storage; the state machine restarts from the
  // storage's snapshot and re-applies committed entries. An initial member
  // whose storage is still empty bootstraps again.
  void Restart();
  // Where HandleReady dies, to model a crash in the middle of the loop.
  enum class CrashPoint {
    kNone,
    kBeforePersist,  // rd.messages were sent, nothing was written
    kAfterPersist,   // written, but nothing after the write was sent
  };
  // Handles one Ready like the server loop: send rd.messages, persist, send
  // rd.messages_after_persist, apply, advance; messages go into *out.
  // Returns the Ready. In async mode the write is queued instead, to be
  // durable at `durable_at` (or later, behind earlier writes), the messages
  // after persist wait for it, and the Ready is applied at once; crashing
  // after the persist means after the write reached the disk.
  raft::Ready HandleReady(std::vector<raft::Message>* out, CrashPoint crash = CrashPoint::kNone,
                          uint64_t durable_at = 0);
  // Snapshots the state machine at its applied index and compacts the log
  // up to `keep` entries before it. No-op if nothing new was applied. In
  // async mode the disk follows at `durable_at`, like a Ready's write.
  void Compact(uint64_t keep, uint64_t durable_at = 0);

  // Async mode: completes, in order, the queued writes due by `now`: they
  // become durable, their held messages go into *out, raft hears
  // OnPersisted. Returns how many completed.
  size_t CompleteDue(uint64_t now, std::vector<raft::Message>* out);
  size_t pending_writes() const { return pending_.size(); }
  // Whether entry (index, term) survives a crash of this node; compacted
  // entries count, as only applied (committed) ones are compacted.
  bool Durable(uint64_t index, uint64_t term) const;

 private:
  NodeId id_;
  raft::Rng rng_;
  Tweak tweak_;
  std::unique_ptr<raft::MemoryStorage> storage_;
  std::unique_ptr<raft::RawNode> node_;
  StateMachine sm_;
  std::vector<NodeId> bootstrap_peers_;
  std::vector<raft::ReadState> read_states_;
  raft::HardState synced_hard_state_;  // set for members of the initial cluster

  // One queued write of async mode: what it does to the disk, in order.
  struct Write {
    uint64_t durable_at = 0;
    raft::Snapshot snapshot;  // installed, if not empty
    std::vector<raft::Entry> entries;
    std::optional<raft::HardState> hard_state;
    // A compaction: the snapshot taken, then MemoryStorage::Compact(compact_to)
    // unless compact_to is 0.
    std::optional<raft::Snapshot> created;
    uint64_t compact_to = 0;
    std::vector<raft::Message> messages;  // rd.messages_after_persist
    std::optional<raft::Entry> last;      // the last entry written, for OnPersisted
  };
  void WriteToDisk(const Write& w);
  std::unique_ptr<raft::MemoryStorage> disk_;  // async mode only
  std::deque<Write> pending_;
};

}  // namespace raft_test
