// RawNode: the raft library's front door. A single-threaded wrapper around
// the Raft state machine that collects its outputs into a Ready.
//
// Thread-safety: none. One loop thread owns the RawNode, its Storage and
// the Rng; other threads hand it work through the loop's queue.
//
// How a server loop drives it (etcd's raftexample, without channels):
//
//   SqliteStorage storage(...);  Rng rng(seed);   // both outlive the node
//   Config c;  c.id = me;  c.storage = &storage;  c.rng = &rng;
//   c.applied = index of the snapshot the state machine was restored from;
//   c.pre_vote = ...;  c.election_ticks = election_ms / heartbeat_ms;
//   RawNode node(c);
//   if (new cluster) node.Bootstrap(peers);   // once, on an empty storage
//   loop {
//     every tick (heartbeat interval):  node.Tick();
//     message from a peer:              node.Step(msg);
//     client write:                     node.Propose(data);   // error: retry/fail
//     member change:                    node.ProposeConfChange(cc);
//     linearizable read:                node.ReadIndex(ctx);   // answer in rd.read_states
//     if (node.HasReady()) {
//       Ready rd = node.GetReady();
//       send(rd.messages);                        // may go out before the write
//       persist(rd.snapshot, rd.entries, rd.hard_state), fsync if rd.must_sync;
//         // one transaction: snapshot replaces the log, entries replace any
//         // conflicting suffix, then the hard state
//       send(rd.messages_after_persist);          // only after the write
//       if (!rd.snapshot.IsEmpty()) restore the state machine from it
//         (its conf_state is the new configuration);
//       for (e : rd.committed_entries) apply e; for kConfChange entries call
//         node.ApplyConfChange(cc) (unless the application refuses the change);
//       serve reads whose rd.read_states index <= applied;
//       node.Advance(rd);
//     }
//   }
//   Failed sends: node.ReportUnreachable(id). Every MsgSnap send must end in
//   node.ReportSnapshot(to, failed): until then that follower gets nothing.
//   Compaction is the application's call: storage.CreateSnapshot(applied, ...)
//   then storage.Compact(...); raft sends that snapshot to lagging followers.
//   On restart the configuration is the snapshot's conf_state; conf change
//   entries after it are delivered again and must be applied again.
//   A member of a new cluster whose storage is still empty after a crash
//   bootstraps again (its first Ready was never written).
//
// Persisting on another thread (etcd's raft calls these async storage
// writes): put rd.entries/snapshot/hard_state where Storage serves them at
// once, queue their write, AdvanceBeforePersist(rd), and apply
// rd.committed_entries right away (committed means on a quorum's disks:
// the leader counts itself only for what it persisted). Once the write and
// every earlier one are durable: send rd.messages_after_persist, then
// OnPersisted(last entry's index, term) when rd.entries was not empty.
//
// Step, Tick and Propose may be called between GetReady and Advance; GetReady
// must not be called again before Advance.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "common/status.h"
#include "server/raft/config.h"
#include "server/raft/raft.h"

namespace raft {

struct Ready {
  std::optional<SoftState> soft_state;  // set when leader or role changed
  std::optional<HardState> hard_state;  // set when it changed: persist it
  std::vector<ReadState> read_states;
  std::vector<Entry> entries;  // persist, replacing any conflicting suffix
  Snapshot snapshot;           // persist and restore if not IsEmpty()
  std::vector<Entry> committed_entries;  // apply after persisting the above
  std::vector<Message> messages;                // may be sent at once
  std::vector<Message> messages_after_persist;  // only after the write
  // The write must be fsynced: new entries or a changed term or vote. A
  // commit-only change may be written lazily.
  bool must_sync = false;
};

struct ProgressStatus {
  uint64_t match = 0;
  uint64_t next = 0;
  ProgressState state = ProgressState::kProbe;
  bool recent_active = false;
};

struct NodeStatus {
  NodeId id = kNone;
  HardState hard_state;
  uint64_t applied = 0;
  SoftState soft_state;
  NodeId lead_transferee = kNone;
  std::map<NodeId, ProgressStatus> progress;  // only on the leader
};

class RawNode {
 public:
  explicit RawNode(const Config& config);
  RawNode(const RawNode&) = delete;
  RawNode& operator=(const RawNode&) = delete;

  // Starts a new cluster on an empty storage: one committed conf change
  // entry per peer at term 1, delivered in the first Ready for the
  // application to persist and apply. AlreadyExists if the log is not empty.
  common::Status Bootstrap(const std::vector<ConfChange>& peers) { return raft_.Bootstrap(peers); }

  void Tick() { raft_.Tick(); }
  // A message from a peer. InvalidArgument, with nothing changed, when it
  // is refused (validate.h, or a term or index our state rules out);
  // NotFound for a response from a peer outside the configuration.
  common::Status Step(const Message& m);
  // Unavailable (ProposalDropped()) when there is no leader to take it.
  common::Status Propose(std::string data);
  // Several normal entries in one proposal: one append per follower instead
  // of one per entry. All or none are taken.
  common::Status ProposeBatch(std::vector<std::string> data);
  common::Status ProposeConfChange(const ConfChange& cc);
  ConfState ApplyConfChange(const ConfChange& cc) { return raft_.ApplyConfChange(cc); }
  common::Status TransferLeadership(NodeId to);
  // Asks for a read index; the answer comes as a ReadState with the same
  // context (which must be unique) in a later Ready, or never if leadership
  // is lost: the caller times out and retries.
  common::Status ReadIndex(std::string ctx);
  void Campaign() { raft_.Campaign(); }

  bool HasReady() const;
  Ready GetReady();
  // After `rd` was persisted: the next Ready may be taken.
  void Advance(const Ready& rd);
  // For a write still in flight (see "Persisting on another thread" above):
  // like Advance, but the leader counts itself towards a quorum for these
  // entries only when OnPersisted(index, term of the last one) says they are
  // on its disk. Writes must become durable in the order of their Readies.
  void AdvanceBeforePersist(const Ready& rd);
  void OnPersisted(uint64_t index, uint64_t term) { raft_.OnPersisted(index, term); }

  void ReportUnreachable(NodeId id) { raft_.ReportUnreachable(id); }
  void ReportSnapshot(NodeId id, bool failed) { raft_.ReportSnapshot(id, failed); }
  NodeStatus GetStatus() const;

  // For tests: the state machine behind this node.
  const Raft& raft() const { return raft_; }

 private:
  common::Status StepLocal(MessageType type, std::vector<Entry> entries, NodeId from,
                           std::string ctx);

  Raft raft_;
  uint64_t max_committed_size_;
  SoftState prev_soft_;
  HardState prev_hard_;
};

}  // namespace raft
