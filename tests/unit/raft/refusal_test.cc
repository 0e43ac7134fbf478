// Raft refuses messages no correct peer sends (forged or corrupt): each is
// answered with a Status, leaves the node's state as it was and never
// reaches an invariant check. The node is 1 of {1, 2, 3}, bootstrapped at
// term 1 with entries 1..3.
#include <doctest/doctest.h>

#include <cstdint>

#include "server/raft/validate.h"
#include "tests/unit/raft/solo.h"

namespace raft_test {
namespace {

using common::Code;
using raft::Message;
using raft::MessageType;
using raft::StateRole;

// What must not change when a message is refused.
struct State {
  explicit State(const Solo& s)
      : hs(s.r().hard_state()), last(s.r().log().LastIndex()), role(s.r().role()), lead(s.r().lead()) {}
  bool operator==(const State& o) const {
    return hs == o.hs && last == o.last && role == o.role && lead == o.lead;
  }
  raft::HardState hs;
  uint64_t last;
  StateRole role;
  raft::NodeId lead;
};

// Steps `m` into `s`: it must be refused with `code`, change nothing and
// send nothing.
void ExpectRefused(Solo& s, const Message& m, Code code = Code::kInvalidArgument) {
  State before(s);
  common::Status st = s.raw().Step(m);
  CHECK(st.code() == code);
  CHECK(s.Drain().empty());
  CHECK(State(s) == before);
}

Message Heartbeat(raft::NodeId from, uint64_t term, uint64_t commit) {
  Message m = Solo::Resp(MessageType::kHeartbeat, from, term);
  m.commit = commit;
  return m;
}

Message Snap(raft::NodeId from, uint64_t term, uint64_t index, uint64_t snap_term,
             std::vector<raft::NodeId> voters) {
  Message m = Solo::Resp(MessageType::kSnap, from, term);
  m.snapshot.metadata.index = index;
  m.snapshot.metadata.term = snap_term;
  m.snapshot.metadata.conf_state.voters = std::move(voters);
  m.snapshot.data = std::to_string(index) + ":0";
  return m;
}

// Makes `s` a leader at term 2 with entries 1..4 that no follower acknowledged yet.
void Elect(Solo& s) {
  s.Elect();
  REQUIRE(s.r().role() == StateRole::kLeader);
}

}  // namespace

TEST_SUITE("raft") {
TEST_CASE("refusal: a heartbeat with term 2^64-1 is refused and the next election works") {
  Solo s;
  ExpectRefused(s, Heartbeat(2, UINT64_MAX, 3));
  ExpectRefused(s, Heartbeat(2, raft::kMaxTerm + 1, 3));
  // Far above our term, though below the ceiling: refused too, so no
  // sequence of messages walks the term up to overflow quickly.
  ExpectRefused(s, Heartbeat(2, 1 + raft::kMaxTermJump + 1, 3));
  CHECK(s.r().term() == 1);
  auto msgs = s.Tick(19);
  CHECK(s.r().role() == StateRole::kCandidate);
  CHECK(s.r().term() == 2);
  CHECK(OfType(msgs, MessageType::kVote).size() == 2);
}

TEST_CASE("refusal: a term exactly kMaxTermJump above ours is still taken") {
  Solo s;
  CHECK(s.raw().Step(Heartbeat(2, 1 + raft::kMaxTermJump, 3)).ok());
  CHECK(s.r().term() == 1 + raft::kMaxTermJump);
  CHECK(s.r().lead() == 2);
}

TEST_CASE("refusal: an append far past our log with log term 0 is answered with a rejection, not a commit") {
  Solo s;
  auto resp = s.Step(App(2, 2, 1003, 0, {}, 1003));  // the commit <= LastIndex() abort
  CHECK(s.r().log().committed() == 3);
  CHECK(s.r().log().LastIndex() == 3);
  auto rej = OfType(resp, MessageType::kAppResp);
  REQUIRE(rej.size() == 1);
  CHECK(rej[0].reject);
  CHECK(rej[0].reject_hint <= 3);
}

TEST_CASE("refusal: an append whose entries leave a gap or break the term order is refused") {
  Solo s;
  ExpectRefused(s, App(2, 2, 3, 1, {Ent(9, 2)}, 3));            // a gap of 5 after index 3
  ExpectRefused(s, App(2, 2, 3, 1, {Ent(4, 2), Ent(6, 2)}, 3));  // a hole inside
  ExpectRefused(s, App(2, 2, 3, 1, {Ent(1, 2)}, 3));            // rewinds into the committed log
  ExpectRefused(s, App(2, 2, 3, 1, {Ent(4, 0)}, 4));            // an entry of term 0
  ExpectRefused(s, App(2, 2, 3, 1, {Ent(4, 3)}, 4));            // an entry newer than the leader
  ExpectRefused(s, App(2, 2, 3, 2, {Ent(4, 1)}, 4));            // older than the entry before it
  ExpectRefused(s, App(2, 2, 3, 3, {}, 3));                     // log term above the term
  ExpectRefused(s, App(2, 2, UINT64_MAX, 1, {Ent(0, 2)}, 3));   // index + 1 wraps
  ExpectRefused(s, App(2, 2, raft::kMaxIndex + 1, 1, {}, 3));
  // A correct append after all that still works.
  auto resp = OfType(s.Step(App(2, 2, 3, 1, {Ent(4, 2, "a")}, 4)), MessageType::kAppResp);
  REQUIRE(resp.size() == 1);
  CHECK_FALSE(resp[0].reject);
  CHECK(resp[0].index == 4);
  CHECK(s.r().log().committed() == 4);
}

TEST_CASE("refusal: a snapshot with no voters, a zero index or term, or unsorted voters is refused") {
  Solo s;
  ExpectRefused(s, Snap(2, 2, 10, 2, {}));
  ExpectRefused(s, Snap(2, 2, 0, 2, {1, 2, 3}));
  ExpectRefused(s, Snap(2, 2, 10, 0, {1, 2, 3}));  // used to "match" past our log and commit 10
  ExpectRefused(s, Snap(2, 2, 10, 3, {1, 2, 3}));  // newer than the leader's term
  ExpectRefused(s, Snap(2, 2, 10, 2, {3, 2, 1}));
  ExpectRefused(s, Snap(2, 2, 10, 2, {0, 1, 2}));
  ExpectRefused(s, Snap(2, 2, 10, 2, {1, 1, 2}));
  std::vector<raft::NodeId> many;
  for (raft::NodeId id = 1; id <= raft::kMaxVoters + 1; ++id) many.push_back(id);
  ExpectRefused(s, Snap(2, 2, 10, 2, many));
  ExpectRefused(s, Snap(2, 2, raft::kMaxIndex + 1, 2, {1, 2, 3}));
}

TEST_CASE("refusal: entries, snapshots and contexts only where they belong") {
  Solo s;
  Message hb = Heartbeat(2, 2, 3);
  hb.entries = {Ent(4, 2)};
  ExpectRefused(s, hb);
  hb = Heartbeat(2, 2, 3);
  hb.snapshot.metadata.index = 5;
  ExpectRefused(s, hb);
  hb = Heartbeat(2, 2, 3);
  hb.context.assign(raft::kMaxContextBytes + 1, 'c');
  ExpectRefused(s, hb);
  hb = Heartbeat(raft::kNone, 2, 3);
  ExpectRefused(s, hb);
  hb = Heartbeat(2, 2, 3);
  hb.reject = true;
  ExpectRefused(s, hb);
  Message commit_only = App(2, 2, 3, 1, {Ent(4, 2)}, 4);
  commit_only.commit_only = true;  // with entries it would go unanswered
  ExpectRefused(s, commit_only);
  Message resp = Solo::Resp(MessageType::kAppResp, 2, 1);
  resp.reject = true;
  resp.index = 2;
  resp.reject_hint = 3;  // a hint past the rejected index
  ExpectRefused(s, resp);
}

TEST_CASE("refusal: a leader refuses an acknowledgement of entries it never had") {
  Solo s;
  Elect(s);
  uint64_t last = s.r().log().LastIndex();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, s.r().term());
  ack.index = last + 1000;
  ExpectRefused(s, ack);
  CHECK(s.raw().GetStatus().progress.at(2).match == 0);
  Message rej = ack;
  rej.reject = true;
  rej.reject_hint = last + 999;
  ExpectRefused(s, rej);
  ack.index = last;
  CHECK(s.raw().Step(ack).ok());
  CHECK(s.raw().GetStatus().progress.at(2).match == last);
}

TEST_CASE("refusal: proposals and read requests only from members, and only with term 0") {
  Solo s;
  Elect(s);
  uint64_t last = s.r().log().LastIndex();
  Message prop = Solo::Resp(MessageType::kProp, 7, 0);  // node 7 is no member
  prop.entries = {Ent(0, 0, "forged")};
  ExpectRefused(s, prop, Code::kNotFound);
  Message read = Solo::Resp(MessageType::kReadIndex, 7, 0);
  read.context = "1";
  ExpectRefused(s, read, Code::kNotFound);
  // With a term it would make the leader step down at a higher one.
  prop.from = 2;
  prop.term = s.r().term() + 1;
  ExpectRefused(s, prop);
  prop.term = 0;
  prop.entries.clear();
  ExpectRefused(s, prop);
  CHECK(s.r().log().LastIndex() == last);
  // From member 2, a proposal is taken.
  prop.entries = {Ent(0, 0, "ok")};
  CHECK(s.raw().Step(prop).ok());
  CHECK(s.r().log().LastIndex() == last + 1);
}

TEST_CASE("refusal: only the known leader can tell a follower to campaign") {
  Solo s;
  REQUIRE(s.raw().Step(Heartbeat(2, 2, 3)).ok());
  s.Drain();
  ExpectRefused(s, Solo::Resp(MessageType::kTimeoutNow, 3, 2));
  s.Step(Solo::Resp(MessageType::kTimeoutNow, 2, 2));
  CHECK(s.r().role() == StateRole::kCandidate);
}

TEST_CASE("refusal: a transfer order right after a snapshot waits for the snapshot to be applied") {
  Solo s;
  // Both in one loop turn: the snapshot is restored but not yet applied
  // when the order comes, so the node cannot know its configuration.
  REQUIRE(s.raw().Step(Snap(2, 2, 10, 2, {1, 2, 3})).ok());
  REQUIRE(s.raw().Step(Solo::Resp(MessageType::kTimeoutNow, 2, 2)).ok());
  s.Drain();
  CHECK(s.r().role() == StateRole::kFollower);
  CHECK(s.r().log().committed() == 10);
  CHECK(s.node().sm().applied == 10);
}
}

}  // namespace raft_test
