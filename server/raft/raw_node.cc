#include "server/raft/raw_node.h"

#include "server/raft/check.h"
#include "server/raft/validate.h"

namespace raft {

using common::Status;

RawNode::RawNode(const Config& config)
    : raft_(config),
      max_committed_size_(config.max_committed_size_per_ready),
      prev_soft_(raft_.soft_state()),
      prev_hard_(raft_.hard_state()) {}

Status RawNode::Step(const Message& m) {
  Status s = CheckMessage(m);
  if (!s.ok()) return s;
  if (IsResponse(m.type) && !raft_.progress().count(m.from)) {
    return Status::NotFound("raft: response from a peer outside the configuration");
  }
  return raft_.Step(m);
}

Status RawNode::StepLocal(MessageType type, std::vector<Entry> entries, NodeId from,
                          std::string ctx) {
  Message m;
  m.type = type;
  m.from = from;
  m.entries = std::move(entries);
  m.context = std::move(ctx);
  return raft_.Step(m);
}

Status RawNode::Propose(std::string data) {
  return StepLocal(MessageType::kProp, {Entry{0, 0, EntryType::kNormal, std::move(data)}},
                   raft_.id(), {});
}

Status RawNode::ProposeBatch(std::vector<std::string> data) {
  std::vector<Entry> entries;
  entries.reserve(data.size());
  for (std::string& d : data) entries.push_back(Entry{0, 0, EntryType::kNormal, std::move(d)});
  return StepLocal(MessageType::kProp, std::move(entries), raft_.id(), {});
}

Status RawNode::ProposeConfChange(const ConfChange& cc) {
  return StepLocal(MessageType::kProp,
                   {Entry{0, 0, EntryType::kConfChange, EncodeConfChange(cc)}}, raft_.id(), {});
}

Status RawNode::TransferLeadership(NodeId to) {
  // By convention the transferee travels in `from`.
  return StepLocal(MessageType::kTransferLeader, {}, to, {});
}

Status RawNode::ReadIndex(std::string ctx) {
  return StepLocal(MessageType::kReadIndex, {}, raft_.id(), std::move(ctx));
}

bool RawNode::HasReady() const {
  const RaftLog& log = raft_.log();
  HardState hs = raft_.hard_state();
  return raft_.soft_state() != prev_soft_ || (!hs.IsEmpty() && hs != prev_hard_) ||
         log.unstable().snapshot().has_value() || !log.unstable().entries().empty() ||
         log.HasNextCommittedEntries() || raft_.HasOutput();
}

Ready RawNode::GetReady() {
  Ready rd;
  RaftLog& log = raft_.log();
  rd.entries = log.unstable().entries();
  if (log.unstable().snapshot()) rd.snapshot = *log.unstable().snapshot();
  rd.committed_entries = log.NextCommittedEntries(max_committed_size_);
  rd.messages = raft_.TakeMessages();
  rd.messages_after_persist = raft_.TakeMessagesAfterPersist();
  rd.read_states = raft_.TakeReadStates();
  SoftState ss = raft_.soft_state();
  if (ss != prev_soft_) {
    rd.soft_state = ss;
    prev_soft_ = ss;
  }
  HardState hs = raft_.hard_state();
  if (!hs.IsEmpty() && hs != prev_hard_) {
    rd.hard_state = hs;
    rd.must_sync = hs.term != prev_hard_.term || hs.vote != prev_hard_.vote;
    prev_hard_ = hs;
  }
  rd.must_sync = rd.must_sync || !rd.entries.empty() || !rd.snapshot.IsEmpty();
  return rd;
}

void RawNode::Advance(const Ready& rd) {
  AdvanceBeforePersist(rd);
  if (!rd.entries.empty()) OnPersisted(rd.entries.back().index, rd.entries.back().term);
}

void RawNode::AdvanceBeforePersist(const Ready& rd) {
  RaftLog& log = raft_.log();
  if (!rd.snapshot.IsEmpty()) {
    log.StableSnapTo(rd.snapshot.metadata.index);
    log.AppliedTo(rd.snapshot.metadata.index);
  }
  if (!rd.entries.empty()) {
    const Entry& last = rd.entries.back();
    log.StableTo(last.index, last.term);
  }
  if (!rd.committed_entries.empty()) log.AppliedTo(rd.committed_entries.back().index);
}

NodeStatus RawNode::GetStatus() const {
  NodeStatus st;
  st.id = raft_.id();
  st.hard_state = raft_.hard_state();
  st.applied = raft_.log().applied();
  st.soft_state = raft_.soft_state();
  st.lead_transferee = raft_.lead_transferee();
  if (raft_.role() == StateRole::kLeader) {
    for (const auto& [id, pr] : raft_.progress()) {
      st.progress[id] = ProgressStatus{pr.match, pr.next, pr.state, pr.recent_active};
    }
  }
  return st;
}

}  // namespace raft
