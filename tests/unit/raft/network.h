// Network: an in-memory cluster of TestNodes for raft tests. Messages are
// queued and delivered in order until the cluster is quiet; links can be
// cut, nodes isolated, message types ignored. Single-threaded.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "tests/unit/raft/test_node.h"

namespace raft_test {

class Network {
 public:
  // Nodes 1..n, bootstrapped with each other as peers.
  explicit Network(size_t n, TestNode::Tweak tweak = {});

  TestNode& node(NodeId id) { return *nodes_.at(id); }
  raft::RawNode& raw(NodeId id) { return node(id).raw(); }
  // Adds an empty node (not bootstrapped) that joins through a conf change.
  TestNode& AddNode(NodeId id);

  // Handles readies and delivers messages until nothing is left to do.
  void Stabilize();
  void Tick(NodeId id, int ticks);
  // Ticks every up node once per round, stabilizing between rounds.
  void TickAll(int rounds);
  void Campaign(NodeId id);
  common::Status Propose(NodeId id, const std::string& data);

  void Cut(NodeId a, NodeId b);  // both directions
  void Isolate(NodeId id);
  void Ignore(raft::MessageType t) { ignored_.insert(t); }
  // Drops each message from `from` to `to` with the given probability,
  // drawn from the network's seeded Rng.
  void Drop(NodeId from, NodeId to, uint64_t percent) { drop_[{from, to}] = percent; }
  void Recover();

  // Messages delivered so far, for assertions.
  const std::vector<raft::Message>& delivered() const { return delivered_; }
  // The up node that believes it is leader with the highest term, or 0.
  NodeId Leader() const;

 private:
  bool Blocked(const raft::Message& m);

  TestNode::Tweak tweak_;
  std::map<NodeId, std::unique_ptr<TestNode>> nodes_;
  std::vector<raft::Message> queue_;
  std::vector<raft::Message> delivered_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::set<raft::MessageType> ignored_;
  std::map<std::pair<NodeId, NodeId>, uint64_t> drop_;  // link -> percent
  raft::Rng rng_{7};
};

}  // namespace raft_test
