// ReadOnly: the leader's pending ReadIndex requests, each waiting for a
// quorum of heartbeat acknowledgements that prove it was still leader when
// the request arrived (Raft thesis §6.4). Not thread-safe; owned by Raft.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/raft/messages.h"

namespace raft {

struct ReadIndexStatus {
  Message request;      // the original request (from, context)
  uint64_t index = 0;   // leader's commit index when the request arrived
  std::set<NodeId> acks;
};

class ReadOnly {
 public:
  // Limit on requests waiting for confirmation; more are refused.
  static constexpr size_t kMaxPending = 4096;

  bool Full() const { return queue_.size() >= kMaxPending; }
  bool Has(const std::string& ctx) const { return pending_.count(ctx) > 0; }
  void AddRequest(uint64_t index, const Message& m);
  // Records an ack; returns how many distinct nodes acked ctx (0 if unknown).
  size_t RecvAck(NodeId id, const std::string& ctx);
  // Removes and returns every request up to and including ctx: a quorum for a
  // later request confirms the earlier ones too.
  std::vector<ReadIndexStatus> Advance(const std::string& ctx);
  void Clear();

 private:
  std::map<std::string, ReadIndexStatus> pending_;
  std::deque<std::string> queue_;  // request contexts in arrival order
};

}  // namespace raft
