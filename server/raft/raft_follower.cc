// Raft: the follower, pre-candidate and candidate roles (paper §5.2, §5.3).
#include <algorithm>

#include "server/raft/check.h"
#include "server/raft/raft.h"

namespace raft {

using common::Status;

void Raft::TickElection() {
  ++election_elapsed_;
  if (Promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Campaign();
  }
}

Status Raft::StepFollower(const Message& m) {
  switch (m.type) {
    case MessageType::kProp:
    case MessageType::kReadIndex:
    case MessageType::kTransferLeader: {
      if (lead_ == kNone) return ProposalDropped();
      Message fwd = m;
      fwd.to = lead_;
      Send(std::move(fwd));
      return Status::OK();
    }
    case MessageType::kApp:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleAppend(m);
      return Status::OK();
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleHeartbeat(m);
      return Status::OK();
    case MessageType::kSnap:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleSnapshot(m);
      return Status::OK();
    case MessageType::kTimeoutNow:
      // The leader hands over: campaign at once, past any lease or pre-vote.
      // Only the leader of this term sends it: from anyone else it would
      // force an election. (After a restart we may not know the leader yet.)
      if (lead_ != kNone && m.from != lead_) {
        return Status::InvalidArgument("raft: refused MsgTimeoutNow from a node that is not our leader");
      }
      StartCampaign(CampaignKind::kTransfer);
      return Status::OK();
    case MessageType::kReadIndexResp:
      read_states_.push_back(ReadState{m.index, m.context});
      return Status::OK();
    default:
      return Status::OK();
  }
}

Status Raft::StepCandidate(const Message& m) {
  MessageType my_resp =
      role_ == StateRole::kPreCandidate ? MessageType::kPreVoteResp : MessageType::kVoteResp;
  switch (m.type) {
    case MessageType::kProp:
    case MessageType::kReadIndex:
    case MessageType::kTransferLeader:
      return ProposalDropped();
    case MessageType::kApp:
      // Paper §5.2: a leader of this term exists; step down.
      BecomeFollower(m.term, m.from);
      HandleAppend(m);
      return Status::OK();
    case MessageType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      return Status::OK();
    case MessageType::kSnap:
      BecomeFollower(m.term, m.from);
      HandleSnapshot(m);
      return Status::OK();
    default:
      break;
  }
  if (m.type != my_resp) return Status::OK();
  switch (Poll(m.from, !m.reject)) {
    case VoteResult::kWon:
      if (role_ == StateRole::kPreCandidate) {
        StartCampaign(CampaignKind::kElection);
      } else {
        BecomeLeader();
        BcastAppend();
      }
      break;
    case VoteResult::kLost:
      BecomeFollower(term_, kNone);
      break;
    case VoteResult::kPending:
      break;
  }
  return Status::OK();
}

// Paper Figure 2, AppendEntries receiver.
void Raft::HandleAppend(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppResp;
  resp.to = m.from;
  if (m.index < log_.committed()) {
    // Everything up to our commit index already matches the leader's log.
    resp.index = log_.committed();
    Send(std::move(resp));
    return;
  }
  if (auto last = log_.MaybeAppend(m.index, m.log_term, m.commit, m.entries)) {
    if (m.commit_only) return;
    resp.index = *last;
    Send(std::move(resp));
    return;
  }
  // Reject, with a hint that lets the leader skip a whole conflicting term:
  // the largest index at which our term is <= the leader's entry term.
  uint64_t hint = log_.FindConflictByTerm(std::min(m.index, log_.LastIndex()), m.log_term);
  resp.index = m.index;
  resp.reject = true;
  resp.reject_hint = hint;
  resp.log_term = log_.TermOrZero(hint);
  Send(std::move(resp));
}

void Raft::HandleHeartbeat(const Message& m) {
  // The leader sends min(our match, its commit), so this never exceeds the
  // entries we share with it.
  log_.CommitTo(std::min(m.commit, log_.LastIndex()));
  Message resp;
  resp.type = MessageType::kHeartbeatResp;
  resp.to = m.from;
  resp.context = m.context;
  Send(std::move(resp));
}

void Raft::HandleSnapshot(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppResp;
  resp.to = m.from;
  resp.index = Restore(m.snapshot) ? log_.LastIndex() : log_.committed();
  Send(std::move(resp));
}

// Paper §7: install a snapshot unless our log already covers it.
bool Raft::Restore(const raft::Snapshot& snap) {
  RAFT_CHECK(role_ == StateRole::kFollower);
  if (snap.metadata.index <= log_.committed()) return false;
  if (log_.MatchTerm(snap.metadata.index, snap.metadata.term)) {
    // Our log has the snapshot's last entry: it is committed, keep the rest.
    log_.CommitTo(snap.metadata.index);
    return false;
  }
  log_.Restore(snap);
  prs_.clear();
  for (NodeId id : snap.metadata.conf_state.voters) {
    prs_.emplace(id, Progress(log_.LastIndex() + 1, max_inflight_));
  }
  return true;
}

}  // namespace raft
