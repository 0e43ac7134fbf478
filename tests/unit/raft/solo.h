// Solo: one raft node stepped by hand in unit tests. Peers exist only as
// the messages the test feeds in; Drain() handles every Ready like the
// server loop and returns what the node sent. Single-threaded.
#pragma once

#include <algorithm>
#include <vector>

#include "tests/unit/raft/test_node.h"

namespace raft_test {

class Solo {
 public:
  explicit Solo(std::vector<NodeId> peers = {1, 2, 3}, TestNode::Tweak tweak = {},
                uint64_t seed = 42)
      : node_(1, seed, std::move(tweak)) {
    node_.Bootstrap(peers);
    Drain();
  }

  std::vector<raft::Message> Drain() {
    std::vector<raft::Message> out;
    for (int i = 0; i < 100 && node_.raw().HasReady(); ++i) last_ = node_.HandleReady(&out);
    return out;
  }
  std::vector<raft::Message> Step(const raft::Message& m) {
    (void)node_.raw().Step(m);
    return Drain();
  }
  std::vector<raft::Message> Tick(int n) {
    for (int i = 0; i < n; ++i) node_.raw().Tick();
    return Drain();
  }
  // Wins an election at the next term with node 2's vote.
  std::vector<raft::Message> Elect() {
    node_.raw().Campaign();
    Drain();
    return Step(Resp(raft::MessageType::kVoteResp, 2, r().term()));
  }

  const raft::Raft& r() const { return node_.raw().raft(); }
  raft::RawNode& raw() { return node_.raw(); }
  TestNode& node() { return node_; }
  const raft::Ready& last_ready() const { return last_; }

  static raft::Message Resp(raft::MessageType t, NodeId from, uint64_t term) {
    raft::Message m;
    m.type = t;
    m.from = from;
    m.to = 1;
    m.term = term;
    return m;
  }

 private:
  TestNode node_;
  raft::Ready last_;
};

inline std::vector<raft::Message> OfType(const std::vector<raft::Message>& msgs,
                                         raft::MessageType t) {
  std::vector<raft::Message> out;
  std::copy_if(msgs.begin(), msgs.end(), std::back_inserter(out),
               [t](const raft::Message& m) { return m.type == t; });
  return out;
}

inline raft::Message App(NodeId from, uint64_t term, uint64_t index, uint64_t log_term,
                         std::vector<raft::Entry> ents, uint64_t commit) {
  raft::Message m = Solo::Resp(raft::MessageType::kApp, from, term);
  m.index = index;
  m.log_term = log_term;
  m.entries = std::move(ents);
  m.commit = commit;
  return m;
}

inline raft::Message Vote(raft::MessageType t, NodeId from, uint64_t term, uint64_t index,
                          uint64_t log_term) {
  raft::Message m = Solo::Resp(t, from, term);
  m.index = index;
  m.log_term = log_term;
  return m;
}

inline raft::Entry Ent(uint64_t index, uint64_t term, std::string data = "") {
  return raft::Entry{term, index, raft::EntryType::kNormal, std::move(data)};
}

}  // namespace raft_test
