#include "server/raft/validate.h"

#include <string>

namespace raft {
namespace {

using common::Status;

Status Refuse(const Message& m, const std::string& why) {
  return Status::InvalidArgument(std::string("raft: refused ") + MessageTypeName(m.type) + ": " + why);
}

// Proposals, read requests and transfer requests are forwarded with term 0.
bool IsLocalKind(MessageType t) {
  return t == MessageType::kProp || t == MessageType::kReadIndex || t == MessageType::kTransferLeader;
}

// An append's entries follow its index one by one, with terms that never
// decrease, never precede the entry before them and never pass the leader's.
Status CheckEntries(const Message& m) {
  if (m.index > kMaxIndex - m.entries.size()) return Refuse(m, "entries past the largest index");
  uint64_t prev_term = m.log_term;
  for (size_t i = 0; i < m.entries.size(); ++i) {
    const Entry& e = m.entries[i];
    if (e.index != m.index + 1 + i) return Refuse(m, "entry indexes do not follow index " + std::to_string(m.index));
    if (e.term == 0 || e.term < prev_term || e.term > m.term) {
      return Refuse(m, "entry " + std::to_string(e.index) + " has term " + std::to_string(e.term));
    }
    prev_term = e.term;
  }
  return Status::OK();
}

Status CheckSnapshot(const Message& m) {
  const SnapshotMetadata& md = m.snapshot.metadata;
  if (md.index == 0 || md.index > kMaxIndex) return Refuse(m, "snapshot index " + std::to_string(md.index));
  if (md.term == 0 || md.term > m.term) return Refuse(m, "snapshot term " + std::to_string(md.term));
  const std::vector<NodeId>& voters = md.conf_state.voters;
  if (voters.empty() || voters.size() > kMaxVoters) {
    return Refuse(m, "snapshot with " + std::to_string(voters.size()) + " voters");
  }
  for (size_t i = 0; i < voters.size(); ++i) {
    if (voters[i] == kNone || (i > 0 && voters[i] <= voters[i - 1])) {
      return Refuse(m, "snapshot voters not sorted, unique and non-zero");
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckMessage(const Message& m) {
  if (m.from == kNone) return Refuse(m, "no sender");
  if (IsLocalKind(m.type) ? m.term != 0 : (m.term == 0 || m.term > kMaxTerm)) {
    return Refuse(m, "term " + std::to_string(m.term));
  }
  if (m.index > kMaxIndex || m.commit > kMaxIndex || m.reject_hint > m.index) {
    return Refuse(m, "index " + std::to_string(m.index) + ", commit " + std::to_string(m.commit) +
                         ", reject hint " + std::to_string(m.reject_hint));
  }
  if (m.log_term > m.term && !IsLocalKind(m.type)) return Refuse(m, "log term above the term");
  if (m.context.size() > kMaxContextBytes) return Refuse(m, "context of " + std::to_string(m.context.size()) + " bytes");
  bool answer = m.type == MessageType::kAppResp || m.type == MessageType::kVoteResp ||
                m.type == MessageType::kPreVoteResp;
  if (m.reject && !answer) return Refuse(m, "a rejection in a message that is no answer");
  // A commit-only append carries no entries (its acceptance is not answered).
  if (m.commit_only && (m.type != MessageType::kApp || !m.entries.empty())) return Refuse(m, "commit-only flag");
  if (m.type == MessageType::kApp) {
    Status s = CheckEntries(m);
    if (!s.ok()) return s;
  } else if (m.type == MessageType::kProp) {
    if (m.entries.empty()) return Refuse(m, "no entries");
  } else if (!m.entries.empty()) {
    return Refuse(m, "entries in a message that carries none");
  }
  if (m.type == MessageType::kSnap) return CheckSnapshot(m);
  bool empty_snapshot = m.snapshot.metadata.index == 0 && m.snapshot.metadata.term == 0 &&
                        m.snapshot.metadata.conf_state.voters.empty() && m.snapshot.data.empty();
  if (!empty_snapshot) return Refuse(m, "a snapshot in a message that carries none");
  return Status::OK();
}

}  // namespace raft
