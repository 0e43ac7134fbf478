// TestNode: one simulated raft member for tests: a RawNode, the
// MemoryStorage that plays its disk, and a tiny state machine. Crash()
// throws away everything that was not persisted through a Ready; Restart()
// rebuilds the node from its storage. Single-threaded, like the real loop.
#pragma once

#include <cstdint>
#include <functional>
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
  TestNode(NodeId id, uint64_t seed, Tweak tweak = {});
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

  // Drops the RawNode and the volatile state machine; the storage survives,
  // except a hard state written without must_sync (only the commit index
  // changed), which a crash loses.
  void Crash() {
    node_.reset();
    storage_->SetHardState(synced_hard_state_);
  }
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
  // Returns the Ready.
  raft::Ready HandleReady(std::vector<raft::Message>* out, CrashPoint crash = CrashPoint::kNone);
  // Snapshots the state machine at its applied index and compacts the log
  // up to `keep` entries before it. No-op if nothing new was applied.
  void Compact(uint64_t keep);

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
};

}  // namespace raft_test
