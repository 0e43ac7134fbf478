#include "server/etcdserver/commit_notices.h"

namespace etcdserver {

void CommitNotices::Received(const std::vector<raft::Message>& msgs, Clock::time_point now) {
  for (const raft::Message& m : msgs) {
    if (m.type == raft::MessageType::kProp || m.type == raft::MessageType::kReadIndex) {
      last_forward_[m.from] = now;
      auto held = held_.find(m.from);
      if (held != held_.end()) held->second.due = now;  // a read may wait on it
    }
  }
}

std::vector<raft::Message> CommitNotices::Filter(std::vector<raft::Message> msgs, Clock::time_point now) {
  std::vector<raft::Message> out;
  out.reserve(msgs.size());
  for (raft::Message& m : msgs) {
    if (m.type != raft::MessageType::kApp) {
      out.push_back(std::move(m));
      continue;
    }
    auto forwarded = last_forward_.find(m.to);
    bool waits = forwarded != last_forward_.end() && now - forwarded->second < kProposerWindow;
    if (!m.commit_only || waits) {
      held_.erase(m.to);  // this append carries the newer commit index
      out.push_back(std::move(m));
      continue;
    }
    auto it = held_.find(m.to);
    Clock::time_point due = it == held_.end() ? now + hold_ : it->second.due;
    held_[m.to] = Held{std::move(m), due};
  }
  return out;
}

std::optional<CommitNotices::Clock::time_point> CommitNotices::Due() const {
  std::optional<Clock::time_point> first;
  for (const auto& [id, h] : held_) {
    if (!first || h.due < *first) first = h.due;
  }
  return first;
}

std::vector<raft::Message> CommitNotices::TakeDue(Clock::time_point now) {
  std::vector<raft::Message> out;
  for (auto it = held_.begin(); it != held_.end();) {
    if (it->second.due > now) {
      ++it;
      continue;
    }
    out.push_back(std::move(it->second.msg));
    it = held_.erase(it);
  }
  return out;
}

}  // namespace etcdserver
