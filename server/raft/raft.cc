// Raft: construction, role transitions, the term rules every message passes
// through, voting and configuration. Role step handlers live in
// raft_follower.cc and raft_leader.cc.
#include "server/raft/raft.h"

#include <algorithm>
#include <string>

#include "common/log.h"
#include "server/raft/check.h"
#include "server/raft/validate.h"

namespace raft {

using common::Status;

namespace {
// Context of a vote request sent because of a leadership transfer: it must
// not be ignored by members inside their leader lease.
const char kCampaignTransfer[] = "CampaignTransfer";

// Messages whose meaning depends on state the sender must persist first:
// a vote (the candidate's own term and vote), a vote grant, and an append
// acknowledgement (the entries must be durable before they count).
bool NeedsPersist(MessageType t) {
  return t == MessageType::kVote || t == MessageType::kVoteResp ||
         t == MessageType::kPreVoteResp || t == MessageType::kAppResp;
}
}  // namespace

Status ProposalDropped() { return Status::Unavailable("raft proposal dropped"); }

Raft::Raft(const Config& config)
    : id_(config.id),
      log_(config.storage),
      election_timeout_(config.election_ticks),
      heartbeat_timeout_(config.heartbeat_ticks),
      check_quorum_(config.check_quorum),
      pre_vote_(config.pre_vote),
      max_msg_size_(config.max_size_per_msg),
      max_inflight_(config.max_inflight_msgs),
      rng_(config.rng) {
  RAFT_CHECK(config.Validate().ok());
  auto state = config.storage->InitialState();
  RAFT_CHECK(state.ok());
  for (NodeId id : state->conf_state.voters) prs_.emplace(id, Progress(1, max_inflight_));
  if (!state->hard_state.IsEmpty()) LoadState(state->hard_state);
  // What the application applied was committed, even if the commit index
  // written lazily (without fsync) was lost in a crash.
  if (config.applied > log_.committed()) log_.CommitTo(config.applied);
  log_.AppliedTo(config.applied);
  BecomeFollower(term_, kNone);
}

void Raft::LoadState(const HardState& hs) {
  // A commit-only change may be written without fsync and lost in a crash,
  // so the stored commit can lag the snapshot (which is committed anyway).
  RAFT_CHECK(hs.commit <= log_.LastIndex());
  log_.CommitTo(hs.commit);
  term_ = hs.term;
  vote_ = hs.vote;
}

Status Raft::Bootstrap(const std::vector<ConfChange>& peers) {
  if (peers.empty()) return Status::InvalidArgument("raft: bootstrap needs at least one peer");
  if (log_.LastIndex() != 0 || term_ != 0) {
    return Status::AlreadyExists("raft: can only bootstrap an empty node");
  }
  std::vector<Entry> ents;
  for (const ConfChange& cc : peers) {
    ents.push_back(Entry{1, ents.size() + 1, EntryType::kConfChange, EncodeConfChange(cc)});
    ApplyConfChange(cc);
  }
  BecomeFollower(1, kNone);
  log_.Append(ents);
  // The initial configuration is committed by definition: every member
  // bootstraps with the same entries.
  log_.CommitTo(ents.size());
  return Status::OK();
}

ConfState Raft::conf_state() const {
  ConfState cs;
  for (const auto& [id, pr] : prs_) cs.voters.push_back(id);
  return cs;
}

ConfState Raft::ApplyConfChange(const ConfChange& cc) {
  switch (cc.type) {
    case ConfChangeType::kAddNode:
      if (!prs_.count(cc.node_id)) {
        auto it = prs_.emplace(cc.node_id, Progress(log_.LastIndex() + 1, max_inflight_)).first;
        it->second.recent_active = true;  // give it an election timeout to answer
      }
      break;
    case ConfChangeType::kRemoveNode:
      prs_.erase(cc.node_id);
      if (cc.node_id == lead_transferee_) AbortLeaderTransfer();
      // The quorum may be smaller now: pending entries may commit.
      if (role_ == StateRole::kLeader && !prs_.empty() && MaybeCommit()) BcastCommit();
      break;
    case ConfChangeType::kUpdateNode:
      break;
  }
  return conf_state();
}

// ---- role transitions ----

void Raft::Reset(uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = kNone;
  }
  lead_ = kNone;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  votes_.clear();
  for (auto& [id, pr] : prs_) {
    pr = Progress(log_.LastIndex() + 1, max_inflight_);
    // This node's own match advances only when its log is persisted.
    if (id == id_) pr.recent_active = true;
  }
  pending_conf_index_ = 0;
  read_only_.Clear();
  pending_reads_.clear();
}

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      election_timeout_ + static_cast<int>(rng_->Uniform(static_cast<uint64_t>(election_timeout_)));
}

void Raft::BecomeFollower(uint64_t term, NodeId lead) {
  step_ = &Raft::StepFollower;
  tick_ = &Raft::TickElection;
  Reset(term);
  lead_ = lead;
  role_ = StateRole::kFollower;
}

void Raft::BecomeCandidate() {
  RAFT_CHECK(role_ != StateRole::kLeader);
  step_ = &Raft::StepCandidate;
  tick_ = &Raft::TickElection;
  Reset(term_ + 1);
  vote_ = id_;
  role_ = StateRole::kCandidate;
}

void Raft::BecomePreCandidate() {
  RAFT_CHECK(role_ != StateRole::kLeader);
  // Pre-vote changes neither the term nor the vote (thesis §9.6).
  step_ = &Raft::StepCandidate;
  tick_ = &Raft::TickElection;
  votes_.clear();
  lead_ = kNone;
  role_ = StateRole::kPreCandidate;
}

void Raft::BecomeLeader() {
  RAFT_CHECK(role_ == StateRole::kCandidate);
  step_ = &Raft::StepLeader;
  tick_ = &Raft::TickHeartbeat;
  Reset(term_);
  lead_ = id_;
  role_ = StateRole::kLeader;
  prs_.at(id_).BecomeReplicate();
  // Conservatively assume the log tail may hold an unapplied conf change.
  pending_conf_index_ = log_.LastIndex();
  // Paper §8: a new leader commits an empty entry of its own term, which
  // also commits everything before it.
  AppendEntries({Entry{}});
  KV_LOG(kDebug, "raft") << id_ << " became leader at term " << term_;
}

void Raft::Campaign() {
  if (role_ == StateRole::kLeader) return;
  StartCampaign(pre_vote_ ? CampaignKind::kPreElection : CampaignKind::kElection);
}

bool Raft::HasUnappliedConfChange() const {
  if (log_.committed() <= log_.applied()) return false;
  // A snapshot restored but not yet applied: its configuration is not ours yet.
  if (log_.unstable().snapshot()) return true;
  auto ents = log_.Slice(log_.applied() + 1, log_.committed() + 1, UINT64_MAX);
  RAFT_CHECK(ents.ok());
  return std::any_of(ents->begin(), ents->end(),
                     [](const Entry& e) { return e.type == EntryType::kConfChange; });
}

void Raft::StartCampaign(CampaignKind kind) {
  if (!Promotable()) return;  // removed, or not yet part of the configuration
  // A committed conf change may make this node's campaign meaningless; wait
  // until it is applied.
  if (HasUnappliedConfChange()) return;
  MessageType vote_type;
  uint64_t term;
  if (kind == CampaignKind::kPreElection) {
    BecomePreCandidate();
    vote_type = MessageType::kPreVote;
    term = term_ + 1;  // the term it would campaign at
  } else {
    BecomeCandidate();
    vote_type = MessageType::kVote;
    term = term_;
  }
  if (Poll(id_, true) == VoteResult::kWon) {  // a single-member cluster
    if (kind == CampaignKind::kPreElection) {
      StartCampaign(CampaignKind::kElection);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (const auto& [id, pr] : prs_) {
    if (id == id_) continue;
    Message m;
    m.type = vote_type;
    m.to = id;
    m.term = term;
    m.index = log_.LastIndex();
    m.log_term = log_.LastTerm();
    if (kind == CampaignKind::kTransfer) m.context = kCampaignTransfer;
    Send(std::move(m));
  }
}

Raft::VoteResult Raft::Poll(NodeId id, bool granted) {
  votes_.emplace(id, granted);
  size_t yes = 0;
  size_t no = 0;
  for (const auto& [voter, v] : votes_) {
    if (!prs_.count(voter)) continue;
    (v ? yes : no)++;
  }
  if (yes >= Quorum()) return VoteResult::kWon;
  if (no > prs_.size() - Quorum()) return VoteResult::kLost;
  return VoteResult::kPending;
}

// ---- messages ----

void Raft::Send(Message m) {
  // A forwarded transfer request names the transferee in `from`.
  if (m.type != MessageType::kTransferLeader || m.from == kNone) m.from = id_;
  bool vote_related = m.type == MessageType::kVote || m.type == MessageType::kVoteResp ||
                      m.type == MessageType::kPreVote || m.type == MessageType::kPreVoteResp;
  bool local_kind = m.type == MessageType::kProp || m.type == MessageType::kReadIndex ||
                    m.type == MessageType::kTransferLeader;
  if (vote_related) {
    RAFT_CHECK(m.term != 0);  // set by the caller: it may differ from term_
  } else if (!local_kind) {
    m.term = term_;
  }
  if (NeedsPersist(m.type)) {
    msgs_after_persist_.push_back(std::move(m));
  } else {
    msgs_.push_back(std::move(m));
  }
}

Status Raft::Step(const Message& m) {
  bool handled = false;
  Status s = StepTerm(m, &handled);
  if (handled) return s;
  if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
    HandleVoteRequest(m);
    return Status::OK();
  }
  return (this->*step_)(m);
}

// The rules on terms every message passes first (paper §5.1, thesis §9.6).
// Sets *handled when the message needs no further processing.
Status Raft::StepTerm(const Message& m, bool* handled) {
  if (m.term == 0) return Status::OK();  // local request or forwarded proposal
  if (m.term > term_ && m.term - term_ > kMaxTermJump) {
    // No real election gets this far ahead; taking it would let one message
    // push every member's term towards overflow.
    *handled = true;
    return Status::InvalidArgument("raft: refused " + std::string(MessageTypeName(m.type)) + ": term " +
                                   std::to_string(m.term) + " is too far above ours (" + std::to_string(term_) + ")");
  }
  if (m.term > term_) {
    if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
      bool force = m.context == kCampaignTransfer;
      bool in_lease = check_quorum_ && lead_ != kNone && election_elapsed_ < election_timeout_;
      if (!force && in_lease) {
        // Leader lease (thesis §4.2.3): a leader was heard from recently, so
        // this candidate is probably disruptive; do not even change term.
        *handled = true;
        return Status::OK();
      }
    }
    if (m.type == MessageType::kPreVote) {
      // Pre-votes never change the receiver's term.
    } else if (m.type == MessageType::kPreVoteResp && !m.reject) {
      // A granted pre-vote carries the future term; StepCandidate counts it.
    } else if (m.type == MessageType::kApp || m.type == MessageType::kHeartbeat ||
               m.type == MessageType::kSnap) {
      BecomeFollower(m.term, m.from);
    } else {
      BecomeFollower(m.term, kNone);
    }
    return Status::OK();
  }
  if (m.term < term_) {
    *handled = true;
    if ((check_quorum_ || pre_vote_) &&
        (m.type == MessageType::kApp || m.type == MessageType::kHeartbeat)) {
      // A leader partitioned away would otherwise never learn of the newer
      // term, since with check-quorum or pre-vote our votes cannot reach it.
      Message resp;
      resp.type = MessageType::kAppResp;
      resp.to = m.from;
      Send(std::move(resp));
    } else if (m.type == MessageType::kPreVote || m.type == MessageType::kVote) {
      // Paper Figure 2: the reply carries our term, so a candidate that
      // cannot reach us as a voter (say, we have not yet applied the change
      // that added it) still catches up with the term and can win later.
      Message resp;
      resp.type = m.type == MessageType::kVote ? MessageType::kVoteResp : MessageType::kPreVoteResp;
      resp.to = m.from;
      resp.term = term_;
      resp.reject = true;
      Send(std::move(resp));
    }
  }
  return Status::OK();
}

// Paper §5.2 and §5.4.1: grant at most one vote per term, and only to a
// candidate whose log is at least as up-to-date as ours.
void Raft::HandleVoteRequest(const Message& m) {
  bool pre = m.type == MessageType::kPreVote;
  bool can_vote = vote_ == m.from || (vote_ == kNone && lead_ == kNone) || (pre && m.term > term_);
  Message resp;
  resp.type = pre ? MessageType::kPreVoteResp : MessageType::kVoteResp;
  resp.to = m.from;
  if (can_vote && log_.IsUpToDate(m.index, m.log_term)) {
    // Answer at the candidate's term so a pre-candidate counts the grant.
    resp.term = m.term;
    if (!pre) {
      election_elapsed_ = 0;
      vote_ = m.from;
    }
  } else {
    resp.term = term_;
    resp.reject = true;
  }
  Send(std::move(resp));
}

void Raft::OnPersisted(uint64_t index, uint64_t term) {
  if (role_ != StateRole::kLeader || !log_.MatchTerm(index, term)) return;
  auto it = prs_.find(id_);
  if (it == prs_.end()) return;
  // The leader counts towards a quorum only for entries on its own disk.
  if (it->second.MaybeUpdate(index) && MaybeCommit()) BcastCommit();
}

void Raft::ReportUnreachable(NodeId id) {
  if (role_ == StateRole::kFollower && id == lead_ && lead_ != kNone) {
    // The leader looks gone: campaign soon after its lease ends (the other
    // members' leases end too by then) instead of after a random extra wait
    // of up to an election timeout. A little randomness stays, so two
    // followers that both lost the leader rarely split the vote. A leader
    // alive for the others keeps them in its lease, so they ignore this
    // member's pre-vote: no disruption.
    uint64_t jitter = rng_->Uniform(static_cast<uint64_t>(std::max(1, election_timeout_ / 4)));
    randomized_election_timeout_ =
        std::min(randomized_election_timeout_, election_timeout_ + 1 + static_cast<int>(jitter));
    return;
  }
  if (role_ != StateRole::kLeader) return;
  auto it = prs_.find(id);
  // Stop streaming: probe again once the peer answers.
  if (it != prs_.end() && it->second.state == ProgressState::kReplicate) it->second.BecomeProbe();
}

void Raft::ReportSnapshot(NodeId id, bool failed) {
  if (role_ != StateRole::kLeader) return;
  auto it = prs_.find(id);
  if (it == prs_.end() || it->second.state != ProgressState::kSnapshot) return;
  Progress& pr = it->second;
  if (failed) pr.pending_snapshot = 0;
  pr.BecomeProbe();
  // Wait for the follower's answer (or a heartbeat round) before sending
  // the next append.
  pr.probe_sent = true;
}

std::vector<Message> Raft::TakeMessages() { return std::exchange(msgs_, {}); }
std::vector<Message> Raft::TakeMessagesAfterPersist() {
  return std::exchange(msgs_after_persist_, {});
}
std::vector<ReadState> Raft::TakeReadStates() { return std::exchange(read_states_, {}); }

bool Raft::HasOutput() const {
  return !msgs_.empty() || !msgs_after_persist_.empty() || !read_states_.empty();
}

}  // namespace raft
