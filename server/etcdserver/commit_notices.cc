#include "server/etcdserver/commit_notices.h"

#include <iterator>

namespace etcdserver {

void CommitNotices::Received(const std::vector<raft::Message>& msgs, Clock::time_point now) {
  for (const raft::Message& m : msgs) {
    if (m.type == raft::MessageType::kProp || m.type == raft::MessageType::kReadIndex) {
      RememberForwarder(m.from, now);
      auto held = held_.find(m.from);
      if (held != held_.end()) held->second.due = now;  // a read may wait on it
    }
  }
}

std::vector<raft::Message> CommitNotices::Filter(std::vector<raft::Message> msgs, Clock::time_point now) {
  std::vector<raft::Message> out;
  out.reserve(msgs.size());
  for (raft::Message& m : msgs) {
    if (m.type == raft::MessageType::kApp && m.commit_only && !Forwards(m.to, now)) {
      auto it = held_.find(m.to);
      Clock::time_point due = it == held_.end() ? now + hold_ : it->second.due;
      held_[m.to] = Held{std::move(m), due};
      continue;
    }
    if (m.type == raft::MessageType::kApp) held_.erase(m.to);  // it carries the newer commit index
    out.push_back(std::move(m));
  }
  return out;
}

void CommitNotices::RememberForwarder(raft::NodeId follower, Clock::time_point now) {
  auto it = last_forward_.find(follower);
  if (it != last_forward_.end()) {
    it->second = now;
    return;
  }
  if (last_forward_.size() >= kMaxForwarders) {
    for (auto i = last_forward_.begin(); i != last_forward_.end();) {
      i = now - i->second >= kProposerWindow ? last_forward_.erase(i) : std::next(i);
    }
    if (last_forward_.size() >= kMaxForwarders) return;
  }
  last_forward_.emplace(follower, now);
}

bool CommitNotices::Forwards(raft::NodeId follower, Clock::time_point now) const {
  auto it = last_forward_.find(follower);
  return it != last_forward_.end() && now - it->second < kProposerWindow;
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
