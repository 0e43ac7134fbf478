// The leader's own write in flight (RawNode::AdvanceBeforePersist): two
// followers commit without it, one follower alone does not, and the leader
// counts itself once OnPersisted says its write is durable.
#include <doctest/doctest.h>

#include "tests/unit/raft/network.h"

namespace raft_test {
namespace {

bool Has(const std::vector<raft::Entry>& entries, const std::string& data) {
  for (const raft::Entry& e : entries) {
    if (e.data == data) return true;
  }
  return false;
}

// The leader takes its Ready, makes it visible to raft at once but keeps
// the write in flight; returns its appends, and the last entry it wrote.
std::vector<raft::Message> LeaderReadyWithoutPersist(TestNode& leader, raft::Entry* last) {
  raft::Ready rd = leader.raw().GetReady();
  REQUIRE(!rd.entries.empty());
  *last = rd.entries.back();
  leader.storage().Append(rd.entries);
  leader.raw().AdvanceBeforePersist(rd);
  return rd.messages;
}

// Delivers `msgs` to follower `id`, lets it persist, returns its answers.
std::vector<raft::Message> FollowerAnswers(Network& net, NodeId id, const std::vector<raft::Message>& msgs) {
  for (const raft::Message& m : msgs) {
    if (m.to == id) REQUIRE(net.raw(id).Step(m).ok());
  }
  std::vector<raft::Message> out;
  while (net.raw(id).HasReady()) net.node(id).HandleReady(&out);
  return out;
}

std::vector<raft::Entry> CommittedOnLeader(TestNode& leader, const std::vector<raft::Message>& answers) {
  for (const raft::Message& m : answers) {
    if (m.to == leader.id()) REQUIRE(leader.raw().Step(m).ok());
  }
  if (!leader.raw().HasReady()) return {};
  raft::Ready rd = leader.raw().GetReady();
  leader.raw().AdvanceBeforePersist(rd);
  return rd.committed_entries;
}

}  // namespace

TEST_SUITE("raft") {
  TEST_CASE("async persist: two followers commit while the leader's own write is in flight") {
    Network net(3);
    net.Campaign(1);
    REQUIRE(net.Leader() == 1);
    REQUIRE(net.raw(1).Propose("slow-disk").ok());
    raft::Entry last;
    auto appends = LeaderReadyWithoutPersist(net.node(1), &last);
    auto answers = FollowerAnswers(net, 2, appends);
    auto from3 = FollowerAnswers(net, 3, appends);
    answers.insert(answers.end(), from3.begin(), from3.end());
    CHECK(Has(CommittedOnLeader(net.node(1), answers), "slow-disk"));
  }

  TEST_CASE("async persist: one follower alone does not commit until the leader's write is durable") {
    Network net(3);
    net.Campaign(1);
    REQUIRE(net.raw(1).Propose("needs-the-leader").ok());
    raft::Entry last;
    auto appends = LeaderReadyWithoutPersist(net.node(1), &last);
    auto answers = FollowerAnswers(net, 2, appends);  // node 3 is slow
    CHECK_FALSE(Has(CommittedOnLeader(net.node(1), answers), "needs-the-leader"));
    net.raw(1).OnPersisted(last.index, last.term);
    REQUIRE(net.raw(1).HasReady());
    raft::Ready rd = net.raw(1).GetReady();
    CHECK(Has(rd.committed_entries, "needs-the-leader"));
    net.raw(1).AdvanceBeforePersist(rd);
  }

  TEST_CASE("async persist: a durable notice for an entry since replaced is ignored") {
    Network net(3, [](raft::Config& c) { c.check_quorum = false; });
    net.Campaign(1);
    REQUIRE(net.raw(1).Propose("lost").ok());
    raft::Entry last;
    LeaderReadyWithoutPersist(net.node(1), &last);  // its appends never arrive
    net.Campaign(2);
    REQUIRE(net.Leader() == 2);
    REQUIRE(net.Propose(2, "kept").ok());
    net.Stabilize();
    // Node 1's old write completes after its log was repaired by node 2.
    net.raw(1).OnPersisted(last.index, last.term);
    CHECK(net.raw(1).raft().log().LastIndex() == net.raw(2).raft().log().LastIndex());
    CHECK(net.raw(1).raft().role() == raft::StateRole::kFollower);
  }
}

}  // namespace raft_test
