// Simulation: a whole raft cluster in one thread, driven by one seed.
//
// Each step is one tick of virtual time. A fake network delays, drops,
// duplicates and reorders messages and can be partitioned; nodes crash
// (losing whatever was not persisted, sometimes in the middle of handling a
// Ready) and restart from storage; clients propose, read, change membership,
// transfer leadership and compact. About half the seeds persist like the
// server's log writer thread (TestNode's async mode) on most nodes: writes
// become durable a random number of ticks later (each node's disk has its
// own speed), in order, while committed entries are applied at once.
// After every step the checkers verify:
//   - at most one leader per term (election safety),
//   - same (index, term) implies same entry and same previous term, hence
//     identical prefixes (log matching),
//   - a new leader holds every entry known to be committed (leader
//     completeness),
//   - no two nodes apply different entries at one index, and state machine
//     digests agree (state machine safety),
//   - a read index covers every entry committed before the read began,
//   - whatever a leader commits, and so whatever any node applies, is on
//     the disks of a quorum of the voters the leader counted (durable
//     copies only: acknowledged only when durable on a quorum).
// Then the network heals, every node restarts, and a leader must be elected
// and a proposal applied by every member (liveness).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/unit/raft/test_node.h"

namespace raft_test {

// What a run exercised, so a test can tell a vacuous simulation from a
// passing one.
struct SimStats {
  uint64_t applied_proposals = 0;  // client proposals applied (first time)
  uint64_t snapshots_installed = 0;
  uint64_t conf_changes_applied = 0;
  uint64_t reads_answered = 0;
  uint64_t leaders_elected = 0;
  uint64_t crashes = 0;
  // Async mode (see TestNode).
  uint64_t async_nodes = 0;
  uint64_t writes_completed = 0;
  uint64_t writes_lost = 0;  // still queued at a crash
  uint64_t applied_before_durable = 0;  // entries applied before the local write was done
  uint64_t committed_before_leader_durable = 0;  // entries not yet on the leader's disk

  void Add(const SimStats& o);
};

class Simulation {
 public:
  explicit Simulation(uint64_t seed);
  // Runs both phases; returns "" on success or what went wrong.
  std::string Run();
  const SimStats& stats() const { return stats_; }

 private:
  struct InFlight {
    uint64_t deliver_at;
    raft::Message msg;
  };
  struct LogRecord {
    raft::EntryType type;
    std::string data;
    uint64_t prev_term;
  };

  void InjectFaults();
  void Step();
  void DeliverDue();
  void CompleteWrites();
  void HandleReadies();
  std::unique_ptr<TestNode> NewNode(NodeId id);
  // When a write queued now on `n` becomes durable (async nodes only).
  uint64_t DurableAt(const TestNode& n);
  void SendAll(NodeId from, const std::vector<raft::Message>& msgs);
  bool Reachable(NodeId from, NodeId to) const;
  bool Alive(NodeId id) const;
  void Crash(NodeId id);
  void ProposeConfChange();
  void CheckReady(TestNode& n, const raft::Ready& rd, bool applied);
  void CheckLeaders();
  void CheckLeaderCompleteness(TestNode& n);
  // Records (and checks) what a leader newly committed.
  void NoteCommits(TestNode& n);
  void CheckDurableOnQuorum(uint64_t index, uint64_t term, const std::vector<NodeId>& voters,
                            const std::string& when);
  void Fail(const std::string& what);
  NodeId Leader() const;
  NodeId RandomNode(bool up);
  std::vector<NodeId> Members() const;
  bool LivenessPhase();
  std::string Describe() const;
  // With KVRAFT_SIM_TRACE set, every Ready is printed to stderr.
  void Trace(NodeId id, const raft::Ready& rd, bool crash) const;
  bool trace_ = false;
  SimStats stats_;

  raft::Rng rng_;
  // Draws only for async mode, so the seeds without it run as before.
  raft::Rng disk_rng_;
  uint64_t async_percent_ = 0;  // chance a node persists asynchronously
  std::map<NodeId, uint64_t> max_write_delay_;  // async nodes: their disk's speed, in ticks
  uint64_t now_ = 0;
  std::string failure_;
  std::map<NodeId, std::unique_ptr<TestNode>> nodes_;
  std::set<NodeId> removed_;
  NodeId next_id_;
  std::vector<InFlight> net_;
  std::map<NodeId, int> side_;  // partition: nodes talk only within a side
  bool faults_ = true;
  uint64_t ready_crash_permille_;  // per Ready, for each of the two crash points
  int drop_percent_;
  int dup_percent_;
  int max_delay_;
  uint64_t proposals_ = 0;
  uint64_t reads_issued_ = 0;
  TestNode::Tweak tweak_;

  // Checker state.
  std::map<uint64_t, NodeId> leaders_;                              // term -> leader
  std::map<std::pair<uint64_t, uint64_t>, LogRecord> log_records_;  // (index, term)
  std::map<uint64_t, raft::Entry> committed_;  // index -> entry some node applied
  // index -> a term by which that entry was surely committed (the applying
  // node's term): leaders of later terms must hold it.
  std::map<uint64_t, uint64_t> commit_term_;
  std::map<uint64_t, uint64_t> digests_;  // applied index -> state machine digest
  std::map<std::string, uint64_t> reads_;  // read ctx -> max commit when issued
  struct CommitRecord {
    uint64_t term;
    std::vector<NodeId> voters;  // whom the committing leader counted
  };
  uint64_t bootstrap_entries_;  // committed by definition, not by a quorum
  uint64_t commits_noted_;      // every index up to here has a CommitRecord
  std::map<uint64_t, CommitRecord> commit_records_;
  std::set<std::pair<NodeId, uint64_t>> checked_leaders_;  // (node, term)
  std::string marker_;
  std::set<NodeId> marker_applied_;
};

}  // namespace raft_test
