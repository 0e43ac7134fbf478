#include "tests/unit/raft/network.h"

#include <doctest/doctest.h>

namespace raft_test {

Network::Network(size_t n, TestNode::Tweak tweak) : tweak_(std::move(tweak)) {
  std::vector<NodeId> peers;
  for (NodeId id = 1; id <= n; ++id) peers.push_back(id);
  for (NodeId id : peers) {
    AddNode(id).Bootstrap(peers);
  }
  Stabilize();
}

TestNode& Network::AddNode(NodeId id) {
  auto& slot = nodes_[id];
  slot = std::make_unique<TestNode>(id, 1000 + id, tweak_);
  return *slot;
}

bool Network::Blocked(const raft::Message& m) {
  auto drop = drop_.find({m.from, m.to});
  if (drop != drop_.end() && rng_.Chance(drop->second)) return true;
  return cut_.count({m.from, m.to}) || ignored_.count(m.type);
}

void Network::Stabilize() {
  for (int round = 0; round < 10000; ++round) {
    bool moved = false;
    for (auto& [id, n] : nodes_) {
      if (n->up() && n->raw().HasReady()) {
        n->HandleReady(&queue_);
        moved = true;
      }
    }
    std::vector<raft::Message> batch = std::exchange(queue_, {});
    for (const raft::Message& m : batch) {
      moved = true;
      auto it = nodes_.find(m.to);
      if (it == nodes_.end() || !it->second->up() || Blocked(m)) continue;
      delivered_.push_back(m);
      // A correct member's message is never refused as malformed.
      common::Status s = it->second->raw().Step(m);
      CHECK_MESSAGE(s.code() != common::Code::kInvalidArgument, s.message());
    }
    if (!moved) return;
  }
  FAIL("network did not stabilize");
}

void Network::Tick(NodeId id, int ticks) {
  for (int i = 0; i < ticks; ++i) node(id).raw().Tick();
  Stabilize();
}

void Network::TickAll(int rounds) {
  for (int i = 0; i < rounds; ++i) {
    for (auto& [id, n] : nodes_) {
      if (n->up()) n->raw().Tick();
    }
    Stabilize();
  }
}

void Network::Campaign(NodeId id) {
  raw(id).Campaign();
  Stabilize();
}

common::Status Network::Propose(NodeId id, const std::string& data) {
  common::Status s = raw(id).Propose(data);
  Stabilize();
  return s;
}

void Network::Cut(NodeId a, NodeId b) {
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void Network::Isolate(NodeId id) {
  for (auto& [other, n] : nodes_) {
    if (other != id) Cut(id, other);
  }
}

void Network::Recover() {
  cut_.clear();
  drop_.clear();
  ignored_.clear();
}

NodeId Network::Leader() const {
  NodeId best = raft::kNone;
  uint64_t best_term = 0;
  for (const auto& [id, n] : nodes_) {
    if (!n->up()) continue;
    const raft::Raft& r = n->raw().raft();
    if (r.role() == raft::StateRole::kLeader && r.term() >= best_term) {
      best = id;
      best_term = r.term();
    }
  }
  return best;
}

}  // namespace raft_test
