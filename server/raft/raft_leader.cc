// Raft: the leader role (paper §5.3, §5.4, §6; thesis §3.10, §6.4).
#include <algorithm>
#include <string>

#include "server/raft/check.h"
#include "server/raft/raft.h"

namespace raft {

using common::Status;

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_) {
    election_elapsed_ = 0;
    if (check_quorum_ && !QuorumActive()) {
      // Not heard from a quorum for an election timeout: another leader may
      // exist, so stop serving (and stop claiming a lease).
      BecomeFollower(term_, kNone);
      return;
    }
    // A transfer that did not finish within an election timeout failed.
    AbortLeaderTransfer();
  }
  if (heartbeat_elapsed_ >= heartbeat_timeout_) {
    heartbeat_elapsed_ = 0;
    BcastHeartbeat("");
  }
}

// Counts the voters heard from since the last check and starts a new round.
bool Raft::QuorumActive() {
  size_t active = 0;
  for (auto& [id, pr] : prs_) {
    if (id == id_ || pr.recent_active) ++active;
    if (id != id_) pr.recent_active = false;
  }
  return active >= Quorum();
}

Status Raft::StepLeader(const Message& m) {
  switch (m.type) {
    case MessageType::kProp:
    case MessageType::kReadIndex:
      // Only members forward requests (a removed one may still try).
      if (m.from != id_ && !prs_.count(m.from)) {
        return Status::NotFound("raft: refused " + std::string(MessageTypeName(m.type)) +
                                       " from a node outside the configuration");
      }
      if (m.type == MessageType::kProp) return LeaderPropose(m);
      LeaderReadIndex(m);
      return Status::OK();
    case MessageType::kTransferLeader:
      HandleTransferLeader(m);
      return Status::OK();
    default:
      break;
  }
  auto it = prs_.find(m.from);
  if (it == prs_.end()) return Status::OK();
  if (m.type == MessageType::kAppResp) {
    // We sent that index: a follower cannot hold or refuse entries we lack.
    if (m.index > log_.LastIndex()) {
      return Status::InvalidArgument("raft: refused MsgAppResp: index " + std::to_string(m.index) +
                                     " is beyond our last index " + std::to_string(log_.LastIndex()));
    }
    HandleAppendResponse(m, it->second);
  } else if (m.type == MessageType::kHeartbeatResp) {
    HandleHeartbeatResponse(m, it->second);
  }
  return Status::OK();
}

Status Raft::LeaderPropose(Message m) {
  if (m.entries.empty()) return Status::InvalidArgument("raft: empty proposal");
  if (!Promotable() || lead_transferee_ != kNone) return ProposalDropped();
  for (size_t i = 0; i < m.entries.size(); ++i) {
    Entry& e = m.entries[i];
    if (e.type != EntryType::kConfChange) continue;
    if (pending_conf_index_ > log_.applied()) {
      // One membership change at a time: refuse by appending an empty entry
      // instead, so the proposer's wait ends without effect.
      e = Entry{};
    } else {
      pending_conf_index_ = log_.LastIndex() + i + 1;
    }
  }
  AppendEntries(std::move(m.entries));
  BcastAppend();
  return Status::OK();
}

void Raft::AppendEntries(std::vector<Entry> ents) {
  uint64_t last = log_.LastIndex();
  for (size_t i = 0; i < ents.size(); ++i) {
    ents[i].term = term_;
    ents[i].index = last + 1 + i;
  }
  log_.Append(ents);
  // The leader's own progress advances in OnPersisted, after its disk write.
}

bool Raft::MaybeCommit() {
  std::vector<uint64_t> matches;
  for (const auto& [id, pr] : prs_) matches.push_back(pr.match);
  if (matches.empty()) return false;
  std::sort(matches.begin(), matches.end(), std::greater<uint64_t>());
  if (!log_.MaybeCommit(matches[Quorum() - 1], term_)) return false;
  // Reads waiting for the first commit of this term can proceed now.
  std::vector<Message> waiting = std::exchange(pending_reads_, {});
  for (const Message& r : waiting) LeaderReadIndex(r);
  return true;
}

bool Raft::CommittedInCurrentTerm() const { return log_.TermOrZero(log_.committed()) == term_; }

// Thesis §6.4: record the commit index, then confirm leadership with a
// heartbeat round before the read may be served.
void Raft::LeaderReadIndex(const Message& m) {
  if (prs_.size() == 1 && Promotable()) {
    RespondToRead(ReadIndexStatus{m, log_.committed(), {}});
    return;
  }
  if (!CommittedInCurrentTerm()) {
    // Our commit index may lag the previous leader's until an entry of this
    // term commits.
    if (pending_reads_.size() < ReadOnly::kMaxPending) pending_reads_.push_back(m);
    return;
  }
  if (read_only_.Full() || read_only_.Has(m.context)) return;
  read_only_.AddRequest(log_.committed(), m);
  read_only_.RecvAck(id_, m.context);
  BcastHeartbeat(m.context);
}

void Raft::RespondToRead(const ReadIndexStatus& rs) {
  if (rs.request.from == kNone || rs.request.from == id_) {
    read_states_.push_back(ReadState{rs.index, rs.request.context});
    return;
  }
  Message resp;
  resp.type = MessageType::kReadIndexResp;
  resp.to = rs.request.from;
  resp.index = rs.index;
  resp.context = rs.request.context;
  Send(std::move(resp));
}

void Raft::HandleAppendResponse(const Message& m, Progress& pr) {
  pr.recent_active = true;
  if (m.reject) {
    uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) next_probe = log_.FindConflictByTerm(m.reject_hint, m.log_term);
    if (pr.MaybeDecrTo(m.index, next_probe)) {
      if (pr.state == ProgressState::kReplicate) pr.BecomeProbe();
      SendAppend(m.from);
    }
    return;
  }
  bool was_paused = pr.IsPaused();
  if (!pr.MaybeUpdate(m.index)) return;
  if (pr.state == ProgressState::kProbe) {
    pr.BecomeReplicate();
  } else if (pr.state == ProgressState::kSnapshot && pr.match + 1 >= log_.FirstIndex()) {
    // The snapshot (or a later append) caught it up to our retained log.
    pr.BecomeProbe();
    pr.BecomeReplicate();
  } else if (pr.state == ProgressState::kReplicate) {
    pr.inflights.FreeLE(m.index);
  }
  if (MaybeCommit()) {
    BcastCommit();
  } else if (was_paused) {
    SendAppend(m.from);
  }
  // Fill the window; bounded by the inflight limit and the log's end.
  while (MaybeSendAppend(m.from, false)) {
  }
  if (m.from == lead_transferee_ && pr.match == log_.LastIndex()) SendTimeoutNow(m.from);
}

void Raft::HandleHeartbeatResponse(const Message& m, Progress& pr) {
  pr.recent_active = true;
  pr.probe_sent = false;
  // A full window may be stuck on lost appends: let one more through.
  if (pr.state == ProgressState::kReplicate && pr.inflights.Full()) pr.inflights.FreeFirstOne();
  if (pr.match < log_.LastIndex()) SendAppend(m.from);
  if (m.context.empty()) return;
  if (read_only_.RecvAck(m.from, m.context) < Quorum()) return;
  for (const ReadIndexStatus& rs : read_only_.Advance(m.context)) RespondToRead(rs);
}

// Thesis §3.10: stop taking proposals, bring the transferee up to date, then
// tell it to campaign at once.
void Raft::HandleTransferLeader(const Message& m) {
  NodeId transferee = m.from;
  if (lead_transferee_ != kNone) {
    if (lead_transferee_ == transferee) return;  // already under way
    AbortLeaderTransfer();
  }
  if (transferee == id_ || !prs_.count(transferee)) return;
  election_elapsed_ = 0;  // the transfer must finish within an election timeout
  lead_transferee_ = transferee;
  if (prs_.at(transferee).match == log_.LastIndex()) {
    SendTimeoutNow(transferee);
  } else {
    SendAppend(transferee);
  }
}

void Raft::SendTimeoutNow(NodeId to) {
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  Send(std::move(m));
}

bool Raft::MaybeSendAppend(NodeId to, bool send_if_empty, bool commit_only) {
  Progress& pr = prs_.at(to);
  if (pr.IsPaused()) return false;
  auto prev_term = log_.Term(pr.next - 1);
  auto ents = log_.EntriesFrom(pr.next, max_msg_size_);
  Message m;
  m.to = to;
  if (!prev_term.ok() || !ents.ok()) {
    // The entries it needs are compacted: send the snapshot instead, but
    // only to a follower that is known to be up.
    if (!pr.recent_active) return false;
    auto snap = log_.Snapshot();
    if (!snap.ok()) return false;  // being prepared; retry on a later tick
    RAFT_CHECK(!snap->IsEmpty());
    m.type = MessageType::kSnap;
    pr.BecomeSnapshot(snap->metadata.index);
    m.snapshot = std::move(snap).value();
    Send(std::move(m));
    return true;
  }
  if (ents->empty() && !send_if_empty) return false;
  m.type = MessageType::kApp;
  m.index = pr.next - 1;
  m.log_term = *prev_term;
  m.entries = std::move(ents).value();
  m.commit = log_.committed();
  m.commit_only = commit_only && m.entries.empty() && pr.state == ProgressState::kReplicate;
  if (pr.state == ProgressState::kReplicate && !m.entries.empty()) {
    uint64_t last = m.entries.back().index;
    pr.OptimisticUpdate(last);
    pr.inflights.Add(last);
  } else if (pr.state == ProgressState::kProbe) {
    pr.probe_sent = true;
  }
  Send(std::move(m));
  return true;
}

void Raft::BcastAppend() {
  for (const auto& [id, pr] : prs_) {
    if (id != id_) SendAppend(id);
  }
}

// A follower in replicate state that has been sent every entry would answer
// an empty append with the index it already acknowledged, or is about to
// in the answers to the appends on their way: so it gets a commit-only
// append, which it answers only when it refuses it. A lost answer is made
// up for by the next heartbeat's (HandleHeartbeatResponse).
void Raft::BcastCommit() {
  for (const auto& [id, pr] : prs_) {
    if (id != id_) MaybeSendAppend(id, true, true);
  }
}

void Raft::BcastHeartbeat(const std::string& ctx) {
  for (const auto& [id, pr] : prs_) {
    if (id == id_) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = id;
    // Never tell a follower to commit past what it is known to hold.
    m.commit = std::min(pr.match, log_.committed());
    m.context = ctx;
    Send(std::move(m));
  }
}

}  // namespace raft
