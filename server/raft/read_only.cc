#include "server/raft/read_only.h"

namespace raft {

void ReadOnly::AddRequest(uint64_t index, const Message& m) {
  if (Has(m.context)) return;
  pending_[m.context] = ReadIndexStatus{m, index, {}};
  queue_.push_back(m.context);
}

size_t ReadOnly::RecvAck(NodeId id, const std::string& ctx) {
  auto it = pending_.find(ctx);
  if (it == pending_.end()) return 0;
  it->second.acks.insert(id);
  return it->second.acks.size();
}

std::vector<ReadIndexStatus> ReadOnly::Advance(const std::string& ctx) {
  std::vector<ReadIndexStatus> out;
  if (!Has(ctx)) return out;
  while (!queue_.empty()) {
    std::string front = queue_.front();
    queue_.pop_front();
    auto it = pending_.find(front);
    out.push_back(std::move(it->second));
    pending_.erase(it);
    if (front == ctx) break;
  }
  return out;
}

void ReadOnly::Clear() {
  pending_.clear();
  queue_.clear();
}

}  // namespace raft
