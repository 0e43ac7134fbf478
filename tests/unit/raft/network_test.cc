// Raft tests on a small in-memory cluster (network.h): elections,
// replication, repair of diverged logs, restarts, snapshots, membership,
// leadership transfer, pre-vote, check-quorum and read index.
#include <doctest/doctest.h>

#include "tests/unit/raft/network.h"

namespace raft_test {
namespace {

using raft::StateRole;

std::vector<std::string> AppliedData(const TestNode& n) {
  std::vector<std::string> out;
  for (const raft::Entry& e : n.sm().entries) {
    if (e.type == raft::EntryType::kNormal && !e.data.empty()) out.push_back(e.data);
  }
  return out;
}

auto PreVote = [](raft::Config& c) { c.pre_vote = true; };
auto NoCheckQuorum = [](raft::Config& c) { c.check_quorum = false; };

}  // namespace

TEST_SUITE("raft") {
TEST_CASE("cluster: three nodes elect one leader and every node applies a proposal") {
  Network net(3);
  net.Campaign(1);
  CHECK(net.Leader() == 1);
  CHECK(net.raw(2).raft().lead() == 1);
  REQUIRE(net.Propose(1, "x").ok());
  for (NodeId id = 1; id <= 3; ++id) {
    CHECK(AppliedData(net.node(id)) == std::vector<std::string>{"x"});
    CHECK(net.node(id).sm().digest == net.node(1).sm().digest);
  }
}

TEST_CASE("cluster: elections happen by themselves through ticks") {
  Network net(5);
  net.TickAll(40);
  NodeId lead = net.Leader();
  REQUIRE(lead != raft::kNone);
  for (NodeId id = 1; id <= 5; ++id) CHECK(net.raw(id).raft().lead() == lead);
}

TEST_CASE("cluster: a proposal on a follower is forwarded to the leader and committed") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.Propose(3, "from-3").ok());
  for (NodeId id = 1; id <= 3; ++id) {
    CHECK(AppliedData(net.node(id)) == std::vector<std::string>{"from-3"});
  }
}

TEST_CASE("paper 5.3: the leader forces the followers' logs to duplicate its own") {
  Network net(3, NoCheckQuorum);  // no leader lease: 3 votes for 2 at once
  net.Campaign(1);
  net.Isolate(1);
  REQUIRE(net.Propose(1, "lost-a").ok());  // never reaches a majority
  REQUIRE(net.Propose(1, "lost-b").ok());
  net.Campaign(2);
  REQUIRE(net.Leader() == 2);
  REQUIRE(net.Propose(2, "kept").ok());
  net.Recover();
  net.Tick(2, 1);  // a heartbeat makes node 1 step down and repair its log
  for (NodeId id = 1; id <= 3; ++id) {
    CHECK(AppliedData(net.node(id)) == std::vector<std::string>{"kept"});
    CHECK(net.raw(id).raft().log().LastIndex() == net.raw(2).raft().log().LastIndex());
  }
}

TEST_CASE("cluster: a minority cannot commit; after healing the minority catches up") {
  Network net(5);
  net.Campaign(1);
  net.Isolate(4);
  net.Isolate(5);
  REQUIRE(net.Propose(1, "with-majority").ok());
  CHECK(AppliedData(net.node(4)).empty());
  net.Isolate(3);  // now 1 and 2 alone: a minority
  REQUIRE(net.Propose(1, "minority").ok());
  CHECK(AppliedData(net.node(1)) == std::vector<std::string>{"with-majority"});
  net.Recover();
  net.Tick(1, 1);
  for (NodeId id = 1; id <= 5; ++id) {
    CHECK(AppliedData(net.node(id)) == std::vector<std::string>{"with-majority", "minority"});
  }
}

TEST_CASE("cluster: with lossy links the leader keeps retrying until every node has the entries") {
  Network net(3);
  net.Campaign(1);
  for (NodeId a = 1; a <= 3; ++a) {
    for (NodeId b = 1; b <= 3; ++b) net.Drop(a, b, 40);
  }
  for (int i = 0; i < 5; ++i) (void)net.raw(1).Propose("p" + std::to_string(i));
  net.TickAll(30);
  net.Recover();
  net.TickAll(3);
  REQUIRE(net.Leader() != raft::kNone);
  for (NodeId id = 1; id <= 3; ++id) {
    CHECK(net.node(id).sm().digest == net.node(net.Leader()).sm().digest);
    CHECK(net.node(id).sm().applied == net.raw(net.Leader()).raft().log().committed());
  }
}

TEST_CASE("persistence: a restarted node recovers its term, vote and log and applies the committed entries again") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.Propose(1, "a").ok());
  REQUIRE(net.Propose(1, "b").ok());
  uint64_t term = net.raw(2).raft().term();
  uint64_t digest = net.node(2).sm().digest;
  net.node(2).Crash();
  net.node(2).Restart();
  CHECK(net.raw(2).raft().term() == term);
  CHECK(net.raw(2).raft().vote() == 1);
  // Its commit index may have been written lazily and lost: the leader's
  // next heartbeat tells it again.
  net.Tick(1, 1);
  CHECK(net.node(2).sm().digest == digest);
  CHECK(AppliedData(net.node(2)) == std::vector<std::string>{"a", "b"});
  REQUIRE(net.Propose(1, "c").ok());
  CHECK(AppliedData(net.node(2)).back() == "c");
}

TEST_CASE("persistence: a whole cluster restarted from storage elects a leader and keeps its data") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.Propose(1, "a").ok());
  for (NodeId id = 1; id <= 3; ++id) net.node(id).Crash();
  for (NodeId id = 1; id <= 3; ++id) net.node(id).Restart();
  net.TickAll(40);
  NodeId lead = net.Leader();
  REQUIRE(lead != raft::kNone);
  REQUIRE(net.Propose(lead, "b").ok());
  for (NodeId id = 1; id <= 3; ++id) {
    CHECK(AppliedData(net.node(id)) == std::vector<std::string>{"a", "b"});
  }
}

TEST_CASE("paper 7: a follower behind the compacted log catches up from the leader's snapshot") {
  Network net(3);
  net.Campaign(1);
  net.Isolate(3);
  for (int i = 0; i < 10; ++i) REQUIRE(net.Propose(1, "p" + std::to_string(i)).ok());
  net.node(1).Compact(2);
  REQUIRE(*net.node(1).storage().FirstIndex() > 2);
  net.Recover();
  net.Tick(1, 1);
  CHECK(net.node(3).sm().digest == net.node(1).sm().digest);
  CHECK(net.node(3).sm().applied == net.node(1).sm().applied);
  CHECK(*net.node(3).storage().FirstIndex() > 1);  // it has the snapshot, not entry 1
  REQUIRE(net.Propose(1, "after").ok());
  CHECK(AppliedData(net.node(3)).back() == "after");
}

TEST_CASE("membership: an added node catches up and counts toward the quorum") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.Propose(1, "before").ok());
  net.AddNode(4);
  REQUIRE(net.raw(1).ProposeConfChange({raft::ConfChangeType::kAddNode, 4, "node4"}).ok());
  net.Stabilize();
  net.Tick(1, 1);  // the next heartbeat reaches the new member
  CHECK(net.raw(1).raft().progress().count(4) == 1);
  CHECK(net.node(4).sm().digest == net.node(1).sm().digest);
  CHECK(net.node(4).sm().conf_state.voters == std::vector<NodeId>{1, 2, 3, 4});
  // Four voters: 1 and 2 alone are not a quorum any more.
  net.Isolate(3);
  net.Isolate(4);
  REQUIRE(net.Propose(1, "needs-three").ok());
  CHECK(AppliedData(net.node(1)).back() == "before");
}

TEST_CASE("membership: removing nodes shrinks the quorum") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.raw(1).ProposeConfChange({raft::ConfChangeType::kRemoveNode, 3, ""}).ok());
  net.Stabilize();
  REQUIRE(net.raw(1).ProposeConfChange({raft::ConfChangeType::kRemoveNode, 2, ""}).ok());
  net.Stabilize();
  CHECK(net.raw(1).raft().progress().size() == 1);
  net.Isolate(1);
  REQUIRE(net.Propose(1, "alone").ok());
  CHECK(AppliedData(net.node(1)).back() == "alone");
}

TEST_CASE("thesis 3.10: leadership moves to the transferee, which is first caught up if it lags") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.raw(1).TransferLeadership(2).ok());
  net.Stabilize();
  CHECK(net.Leader() == 2);

  net.Isolate(3);
  REQUIRE(net.Propose(2, "3-misses-this").ok());
  net.Recover();
  REQUIRE(net.raw(2).TransferLeadership(3).ok());
  net.Stabilize();
  CHECK(net.Leader() == 3);
  CHECK(AppliedData(net.node(3)) == std::vector<std::string>{"3-misses-this"});
}

TEST_CASE("thesis 3.10: a transfer asked of a follower is forwarded to the leader for the named transferee") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.raw(2).TransferLeadership(3).ok());
  net.Stabilize();
  CHECK(net.Leader() == 3);
}

TEST_CASE("thesis 3.10: a transfer to an unreachable node is abandoned after an election timeout") {
  Network net(3);
  net.Campaign(1);
  net.Isolate(3);
  REQUIRE(net.raw(1).TransferLeadership(3).ok());
  net.Stabilize();
  CHECK(net.Propose(1, "x").code() == common::Code::kUnavailable);
  net.Tick(1, 10);
  CHECK(net.Leader() == 1);
  CHECK(net.Propose(1, "y").ok());
}

TEST_CASE("thesis 9.6: with pre-vote, a member returning from a partition does not depose the leader") {
  Network net(3, PreVote);
  net.Campaign(1);
  uint64_t term = net.raw(1).raft().term();
  net.Isolate(3);
  net.Tick(3, 100);  // campaigns many times, alone
  CHECK(net.raw(3).raft().term() == term);
  net.Recover();
  net.TickAll(5);
  CHECK(net.Leader() == 1);
  CHECK(net.raw(1).raft().term() == term);
}

TEST_CASE("thesis 6.2: with check-quorum, an isolated leader steps down and the rest elect a new one") {
  Network net(3);
  net.Campaign(1);
  net.Isolate(1);
  net.TickAll(40);
  CHECK(net.raw(1).raft().role() != StateRole::kLeader);
  NodeId lead = net.Leader();
  CHECK((lead == 2 || lead == 3));
}

TEST_CASE("thesis 6.4: a read index is answered on the leader and on a follower, but not by an isolated leader") {
  Network net(3);
  net.Campaign(1);
  REQUIRE(net.Propose(1, "x").ok());
  uint64_t commit = net.raw(1).raft().log().committed();

  REQUIRE(net.raw(1).ReadIndex("leader-read").ok());
  REQUIRE(net.raw(2).ReadIndex("follower-read").ok());  // forwarded to 1
  net.Stabilize();
  REQUIRE(net.node(1).read_states().size() == 1);
  CHECK(net.node(1).read_states()[0].request_ctx == "leader-read");
  CHECK(net.node(1).read_states()[0].index == commit);
  REQUIRE(net.node(2).read_states().size() == 1);
  CHECK(net.node(2).read_states()[0].request_ctx == "follower-read");
  CHECK(net.node(2).read_states()[0].index == commit);

  // Another leader may exist: an isolated one must not answer.
  net.Isolate(1);
  REQUIRE(net.raw(1).ReadIndex("isolated").ok());
  net.Tick(1, 3);
  CHECK(net.node(1).read_states().size() == 1);
}
}

}  // namespace raft_test
