// Raft: the consensus state machine of one node (paper Figure 2), without
// any I/O. Inputs are Tick() and Step(); outputs accumulate in msgs() and
// the log, and RawNode packages them into a Ready. The behaviour of each role
// is a step and a tick handler swapped on every role change.
// Not thread-safe; owned by RawNode, driven by one loop thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/raft/config.h"
#include "server/raft/log.h"
#include "server/raft/progress.h"
#include "server/raft/read_only.h"

namespace raft {

// Returned when a proposal cannot be accepted now (no leader, leadership
// transfer in progress, node removed): the caller retries or fails the
// request.
common::Status ProposalDropped();

class Raft {
 public:
  explicit Raft(const Config& config);
  Raft(const Raft&) = delete;
  Raft& operator=(const Raft&) = delete;

  void Tick() { (this->*tick_)(); }
  // Handles a message from a peer, or a local request (proposal, read index,
  // transfer) with term 0.
  common::Status Step(const Message& m);
  // Starts an election now (skipping the timeout), unless leader.
  void Campaign();
  // Adds a peer's conf change to the configuration; returns the new voters.
  ConfState ApplyConfChange(const ConfChange& cc);
  // Bootstraps a fresh node: the peers form the initial configuration and
  // one committed conf change entry per peer is appended at term 1.
  common::Status Bootstrap(const std::vector<ConfChange>& peers);
  // The application persisted entries up to (index, term).
  void OnPersisted(uint64_t index, uint64_t term);
  // A send to `id` failed: a leader probes that follower again; a follower
  // that lost its leader so campaigns within a few ticks after the lease.
  void ReportUnreachable(NodeId id);
  void ReportSnapshot(NodeId id, bool failed);

  NodeId id() const { return id_; }
  uint64_t term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId lead() const { return lead_; }
  NodeId lead_transferee() const { return lead_transferee_; }
  StateRole role() const { return role_; }
  HardState hard_state() const { return {term_, vote_, log_.committed()}; }
  SoftState soft_state() const { return {lead_, role_}; }
  ConfState conf_state() const;
  const std::map<NodeId, Progress>& progress() const { return prs_; }
  RaftLog& log() { return log_; }
  const RaftLog& log() const { return log_; }
  int randomized_election_timeout() const { return randomized_election_timeout_; }

  // Outputs, drained by RawNode.
  std::vector<Message> TakeMessages();
  std::vector<Message> TakeMessagesAfterPersist();
  std::vector<ReadState> TakeReadStates();
  bool HasOutput() const;

 private:
  using StepFn = common::Status (Raft::*)(const Message&);
  using TickFn = void (Raft::*)();
  enum class CampaignKind { kPreElection, kElection, kTransfer };
  enum class VoteResult { kPending, kWon, kLost };

  // Role transitions (raft.cc).
  void BecomeFollower(uint64_t term, NodeId lead);
  void BecomeCandidate();
  void BecomePreCandidate();
  void BecomeLeader();
  void Reset(uint64_t term);
  void ResetRandomizedElectionTimeout();
  void StartCampaign(CampaignKind kind);
  VoteResult Poll(NodeId id, bool granted);
  bool Promotable() const { return prs_.count(id_) > 0; }
  bool HasUnappliedConfChange() const;
  void LoadState(const HardState& hs);
  void Send(Message m);
  common::Status StepTerm(const Message& m, bool* handled);
  void HandleVoteRequest(const Message& m);

  // Follower and candidate (raft_follower.cc).
  common::Status StepFollower(const Message& m);
  common::Status StepCandidate(const Message& m);
  void TickElection();
  void HandleAppend(const Message& m);
  void HandleHeartbeat(const Message& m);
  void HandleSnapshot(const Message& m);
  bool Restore(const raft::Snapshot& snap);

  // Leader (raft_leader.cc).
  common::Status StepLeader(const Message& m);
  void TickHeartbeat();
  common::Status LeaderPropose(Message m);
  void LeaderReadIndex(const Message& m);
  void HandleAppendResponse(const Message& m, Progress& pr);
  void HandleHeartbeatResponse(const Message& m, Progress& pr);
  void HandleTransferLeader(const Message& m);
  void AppendEntries(std::vector<Entry> ents);
  bool MaybeCommit();
  void SendAppend(NodeId to) { MaybeSendAppend(to, true); }
  // An empty append is sent only when send_if_empty; as commit-only (not
  // acknowledged) when commit_only too.
  bool MaybeSendAppend(NodeId to, bool send_if_empty, bool commit_only = false);
  void BcastAppend();
  // After the commit index moved: every follower learns it.
  void BcastCommit();
  void BcastHeartbeat(const std::string& ctx);
  void SendTimeoutNow(NodeId to);
  void RespondToRead(const ReadIndexStatus& rs);
  bool QuorumActive();
  bool CommittedInCurrentTerm() const;
  void AbortLeaderTransfer() { lead_transferee_ = kNone; }
  size_t Quorum() const { return prs_.size() / 2 + 1; }

  NodeId id_;
  uint64_t term_ = 0;
  NodeId vote_ = kNone;
  NodeId lead_ = kNone;
  StateRole role_ = StateRole::kFollower;
  RaftLog log_;
  std::map<NodeId, Progress> prs_;  // the voters, including this node
  std::map<NodeId, bool> votes_;    // campaign: who granted or rejected
  NodeId lead_transferee_ = kNone;
  // Index of the latest conf change the leader appended; a new one is
  // accepted only once this is applied (one change at a time).
  uint64_t pending_conf_index_ = 0;
  ReadOnly read_only_;
  // ReadIndex requests that arrived before the leader committed an entry of
  // its own term; answered once it has. Bounded by ReadOnly::kMaxPending.
  std::vector<Message> pending_reads_;
  std::vector<ReadState> read_states_;
  std::vector<Message> msgs_;
  std::vector<Message> msgs_after_persist_;

  // Ticks since the last election timeout (followers: since the leader was
  // last heard from; leader: since the last quorum check).
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int election_timeout_;
  int heartbeat_timeout_;
  int randomized_election_timeout_ = 0;  // in [election_timeout_, 2 * election_timeout_)
  bool check_quorum_;
  bool pre_vote_;
  uint64_t max_msg_size_;
  size_t max_inflight_;
  Rng* rng_;

  StepFn step_;
  TickFn tick_;
};

}  // namespace raft
