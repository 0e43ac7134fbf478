// Raft unit tests that step one node by hand, each named after the sentence
// of the Raft paper (Ongaro & Ousterhout, 2014) or thesis it checks.
// The node is 1 of {1, 2, 3}, bootstrapped at term 1 with entries 1..3.
#include <doctest/doctest.h>

#include <set>

#include "tests/unit/raft/solo.h"

namespace raft_test {
namespace {

using raft::Message;
using raft::MessageType;
using raft::StateRole;

auto NoCheckQuorum = [](raft::Config& c) { c.check_quorum = false; };

}  // namespace

TEST_SUITE("raft") {
TEST_CASE("paper 5.2: if a follower receives no communication over the election timeout, it begins an election") {
  Solo s;
  auto msgs = s.Tick(19);  // the randomized timeout is below 2 * 10 ticks
  CHECK(s.r().role() == StateRole::kCandidate);
  CHECK(s.r().term() == 2);
  CHECK(s.r().vote() == 1);
  auto votes = OfType(msgs, MessageType::kVote);
  REQUIRE(votes.size() == 2);
  std::set<NodeId> to;
  for (const Message& m : votes) {
    to.insert(m.to);
    CHECK(m.term == 2);
    CHECK(m.index == 3);
    CHECK(m.log_term == 1);
  }
  CHECK(to == std::set<NodeId>{2, 3});
}

TEST_CASE("paper 5.2: election timeouts are chosen randomly from a fixed interval [E, 2E)") {
  std::set<int> seen;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Solo s({1, 2, 3}, {}, seed);
    int t = s.r().randomized_election_timeout();
    CHECK(t >= 10);
    CHECK(t < 20);
    seen.insert(t);
  }
  CHECK(seen.size() >= 8);  // really spread, so split votes resolve
}

TEST_CASE("paper 5.2: the timeout is drawn again when the term changes") {
  std::set<int> seen;
  Solo s;
  for (uint64_t term = 2; term < 40; ++term) {
    s.Step(App(2, term, 3, 1, {}, 3));
    seen.insert(s.r().randomized_election_timeout());
  }
  CHECK(seen.size() >= 5);
}

TEST_CASE("paper 5.2: a candidate wins an election if it receives votes from a majority, then sends AppendEntries to establish its authority") {
  Solo s;
  auto msgs = s.Elect();
  CHECK(s.r().role() == StateRole::kLeader);
  CHECK(s.r().lead() == 1);
  auto apps = OfType(msgs, MessageType::kApp);
  REQUIRE(apps.size() == 2);
  for (const Message& m : apps) {
    CHECK(m.term == 2);
    CHECK(m.index == 3);
    CHECK(m.log_term == 1);
    REQUIRE(m.entries.size() == 1);  // the empty entry of the new term
    CHECK(m.entries[0].index == 4);
    CHECK(m.entries[0].term == 2);
    CHECK(m.entries[0].data.empty());
  }
}

TEST_CASE("paper 5.2: a candidate that a majority rejects returns to follower") {
  Solo s;
  s.raw().Campaign();
  s.Drain();
  Message no = Solo::Resp(MessageType::kVoteResp, 2, 2);
  no.reject = true;
  s.Step(no);
  CHECK(s.r().role() == StateRole::kCandidate);
  no.from = 3;
  s.Step(no);
  CHECK(s.r().role() == StateRole::kFollower);
  CHECK(s.r().term() == 2);
}

TEST_CASE("paper 5.2: each server will vote for at most one candidate in a given term, on a first-come-first-served basis") {
  Solo s;
  auto first = s.Step(Vote(MessageType::kVote, 2, 2, 3, 1));
  REQUIRE(first.size() == 1);
  CHECK(first[0].type == MessageType::kVoteResp);
  CHECK(first[0].to == 2);
  CHECK_FALSE(first[0].reject);
  auto second = s.Step(Vote(MessageType::kVote, 3, 2, 3, 1));
  REQUIRE(second.size() == 1);
  CHECK(second[0].to == 3);
  CHECK(second[0].reject);
  auto again = s.Step(Vote(MessageType::kVote, 2, 2, 3, 1));  // a retransmission
  REQUIRE(again.size() == 1);
  CHECK_FALSE(again[0].reject);
}

TEST_CASE("paper 5.2 / Figure 2: a server persists its vote before responding, and remembers it after a restart") {
  Solo s;
  std::vector<Message> out;
  (void)s.raw().Step(Vote(MessageType::kVote, 2, 2, 3, 1));
  raft::Ready rd = s.node().HandleReady(&out);
  REQUIRE(rd.hard_state.has_value());
  CHECK(rd.hard_state->term == 2);
  CHECK(rd.hard_state->vote == 2);
  CHECK(rd.must_sync);
  CHECK(rd.messages.empty());
  REQUIRE(rd.messages_after_persist.size() == 1);
  CHECK(rd.messages_after_persist[0].type == MessageType::kVoteResp);

  s.node().Crash();
  s.node().Restart();
  CHECK(s.r().term() == 2);
  CHECK(s.r().vote() == 2);
  auto resp = s.Step(Vote(MessageType::kVote, 3, 2, 3, 1));
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].reject);
}

TEST_CASE("paper 5.4.1: the voter denies its vote if its own log is more up-to-date than that of the candidate") {
  struct Case {
    uint64_t index, log_term;
    bool granted;
  } cases[] = {
      {10, 1, false},  // lower last term, however long
      {3, 2, false},   // same last term, shorter
      {4, 2, true},    // same last term, same length
      {5, 2, true},    // same last term, longer
      {1, 3, true},    // higher last term
  };
  for (const Case& c : cases) {
    CAPTURE(c.index);
    CAPTURE(c.log_term);
    Solo s({1, 2, 3}, NoCheckQuorum);
    s.Step(App(2, 2, 3, 1, {Ent(4, 2)}, 3));  // our log ends at (4, term 2)
    auto resp = s.Step(Vote(MessageType::kVote, 3, 3, c.index, c.log_term));
    REQUIRE(resp.size() == 1);
    CHECK(resp[0].reject == !c.granted);
  }
}

TEST_CASE("paper 5.1: if a candidate or leader discovers that its term is out of date, it immediately reverts to follower state") {
  Solo s;
  s.Elect();
  REQUIRE(s.r().role() == StateRole::kLeader);
  Message hb = Solo::Resp(MessageType::kHeartbeat, 3, 5);
  s.Step(hb);
  CHECK(s.r().role() == StateRole::kFollower);
  CHECK(s.r().term() == 5);
  CHECK(s.r().lead() == 3);
}

TEST_CASE("paper 5.1: if a server receives a request with a stale term number, it rejects the request (and tells the sender its term)") {
  Solo s;
  s.Step(App(2, 3, 3, 1, {}, 3));
  auto resp = s.Step(App(3, 2, 3, 1, {Ent(4, 2, "stale")}, 3));
  CHECK(s.r().log().LastIndex() == 3);
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].type == MessageType::kAppResp);
  CHECK(resp[0].term == 3);
}

TEST_CASE("paper 5.2: leaders send periodic heartbeats to all followers to maintain their authority") {
  Solo s;
  s.Elect();
  auto msgs = s.Tick(1);
  auto hbs = OfType(msgs, MessageType::kHeartbeat);
  CHECK(hbs.size() == 2);
  for (const Message& m : hbs) CHECK(m.commit == 0);  // followers' match is unknown yet
}

TEST_CASE("paper 5.3: the leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel to each of the other servers") {
  Solo s;
  s.Elect();
  s.Step(Solo::Resp(MessageType::kAppResp, 2, 2));  // acks are index 0: still probing
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);
  ack.from = 3;
  s.Step(ack);
  REQUIRE(s.raw().Propose("x").ok());
  auto apps = OfType(s.Drain(), MessageType::kApp);
  REQUIRE(apps.size() == 2);
  for (const Message& m : apps) {
    CHECK(m.index == 4);
    CHECK(m.log_term == 2);
    REQUIRE(m.entries.size() == 1);
    CHECK(m.entries[0].index == 5);
    CHECK(m.entries[0].term == 2);
    CHECK(m.entries[0].data == "x");
    CHECK(m.commit == 4);
  }
}

TEST_CASE("paper 5.3: a log entry is committed once the leader has replicated it on a majority, counting itself only once the entry is on its own disk") {
  Solo s;
  s.Elect();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);
  CHECK(s.r().log().committed() == 4);

  REQUIRE(s.raw().Propose("x").ok());  // not persisted yet: no Drain
  ack.index = 5;
  (void)s.raw().Step(ack);
  CHECK(s.r().log().committed() == 4);
  s.Drain();
  CHECK(s.r().log().committed() == 5);
  REQUIRE(!s.node().sm().entries.empty());
  CHECK(s.node().sm().entries.back().data == "x");
}

TEST_CASE("a new commit index goes as a commit-only append to followers that have every entry sent, and a heartbeat answer still gets a plain one") {
  Solo s;
  s.Elect();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);
  ack.from = 3;
  s.Step(ack);
  REQUIRE(s.raw().Propose("x").ok());
  s.Drain();
  ack.from = 2;
  ack.index = 5;
  auto apps = OfType(s.Step(ack), MessageType::kApp);
  CHECK(s.r().log().committed() == 5);
  REQUIRE(apps.size() == 2);
  for (const Message& m : apps) {
    CHECK(m.entries.empty());
    CHECK(m.commit == 5);
    CHECK(m.commit_only);  // 3's answer for entry 5 is on its way
  }
  // 3's answer got lost: the heartbeat's answer brings an append it answers.
  apps = OfType(s.Step(Solo::Resp(MessageType::kHeartbeatResp, 3, 2)), MessageType::kApp);
  REQUIRE(apps.size() == 1);
  CHECK(apps[0].to == 3);
  CHECK_FALSE(apps[0].commit_only);
}

TEST_CASE("a follower answers a commit-only append only when it refuses it") {
  Solo s;
  s.Step(App(2, 2, 3, 1, {Ent(4, 2, "a")}, 3));
  Message commit = App(2, 2, 4, 2, {}, 4);
  commit.commit_only = true;
  CHECK(s.Step(commit).empty());
  CHECK(s.r().log().committed() == 4);
  commit.index = 6;  // beyond our log: the leader's view of us is wrong
  auto resp = s.Step(commit);
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].reject);
  CHECK(resp[0].reject_hint == 4);
}

TEST_CASE("paper 5.4.2: Raft never commits log entries from previous terms by counting replicas") {
  Solo s;
  s.Step(App(2, 2, 3, 1, {Ent(4, 2, "old")}, 3));  // uncommitted entry of term 2
  s.raw().Campaign();
  s.Drain();
  s.Step(Solo::Resp(MessageType::kVoteResp, 3, 3));
  REQUIRE(s.r().role() == StateRole::kLeader);
  REQUIRE(s.r().log().LastIndex() == 5);  // its empty entry of term 3
  Message ack = Solo::Resp(MessageType::kAppResp, 3, 3);
  ack.index = 4;
  s.Step(ack);
  CHECK(s.r().log().committed() == 3);  // a majority holds 4, but it is of term 2
  ack.index = 5;
  s.Step(ack);
  CHECK(s.r().log().committed() == 5);  // committing 5 commits 4 indirectly
}

TEST_CASE("paper Figure 2: if an existing entry conflicts with a new one, delete the existing entry and all that follow it") {
  Solo s;
  s.Step(App(2, 2, 3, 1, {Ent(4, 2, "a"), Ent(5, 2, "b")}, 3));
  REQUIRE(s.r().log().LastIndex() == 5);
  s.Step(App(3, 3, 3, 1, {Ent(4, 3, "c")}, 3));
  CHECK(s.r().log().LastIndex() == 4);
  CHECK(s.r().log().TermOrZero(4) == 3);
  CHECK(*s.node().storage().LastIndex() == 4);
  CHECK(*s.node().storage().Term(4) == 3);
}

TEST_CASE("paper Figure 2: an append that repeats entries we already have changes nothing") {
  Solo s;
  s.Step(App(2, 2, 3, 1, {Ent(4, 2, "a"), Ent(5, 2, "b")}, 3));
  s.Step(App(2, 2, 3, 1, {Ent(4, 2, "a")}, 3));  // delayed duplicate of a shorter append
  CHECK(s.r().log().LastIndex() == 5);
}

TEST_CASE("paper 5.3: if the follower does not find an entry in its log with the same index and term, it refuses the new entries") {
  Solo s;
  auto resp = s.Step(App(2, 2, 5, 2, {Ent(6, 2)}, 3));
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].reject);
  CHECK(resp[0].index == 5);
  CHECK(resp[0].reject_hint == 3);  // our last index
  CHECK(resp[0].log_term == 1);
  CHECK(s.r().log().LastIndex() == 3);
}

TEST_CASE("paper 5.3: after a rejection, the leader decrements nextIndex and retries the AppendEntries RPC") {
  Solo s;
  s.Elect();
  Message rej = Solo::Resp(MessageType::kAppResp, 2, 2);
  rej.reject = true;
  rej.index = 3;
  rej.reject_hint = 2;
  rej.log_term = 1;
  auto apps = OfType(s.Step(rej), MessageType::kApp);
  REQUIRE(apps.size() == 1);
  CHECK(apps[0].to == 2);
  CHECK(apps[0].index == 2);
  CHECK(apps[0].log_term == 1);
  REQUIRE(apps[0].entries.size() == 2);
  CHECK(apps[0].entries[0].index == 3);
}

TEST_CASE("paper 5.3: a follower applies entries once the leader's commit index covers them, after persisting them") {
  Solo s;
  std::vector<Message> out;
  (void)s.raw().Step(App(2, 2, 3, 1, {Ent(4, 2, "x")}, 4));
  raft::Ready rd = s.node().HandleReady(&out);
  REQUIRE(rd.entries.size() == 1);
  REQUIRE(rd.committed_entries.size() == 1);  // persisted by this Ready, then applied
  CHECK(rd.committed_entries[0].data == "x");
  REQUIRE(rd.messages_after_persist.size() == 1);
  CHECK(rd.messages_after_persist[0].type == MessageType::kAppResp);
  CHECK(rd.messages_after_persist[0].index == 4);
}

TEST_CASE("thesis 9.6: a pre-candidate asks for pre-votes at term+1 without changing its own term") {
  Solo s({1, 2, 3}, [](raft::Config& c) { c.pre_vote = true; });
  s.raw().Campaign();
  auto msgs = s.Drain();
  CHECK(s.r().role() == StateRole::kPreCandidate);
  CHECK(s.r().term() == 1);
  auto pre = OfType(msgs, MessageType::kPreVote);
  REQUIRE(pre.size() == 2);
  CHECK(pre[0].term == 2);
  msgs = s.Step(Solo::Resp(MessageType::kPreVoteResp, 2, 2));
  CHECK(s.r().role() == StateRole::kCandidate);
  CHECK(s.r().term() == 2);
  CHECK(OfType(msgs, MessageType::kVote).size() == 2);
}

TEST_CASE("thesis 9.6: a pre-vote request never changes the receiver's term or vote") {
  Solo s({1, 2, 3}, [](raft::Config& c) { c.pre_vote = true; });
  auto resp = s.Step(Vote(MessageType::kPreVote, 2, 5, 3, 1));
  CHECK(s.r().term() == 1);
  CHECK(s.r().vote() == raft::kNone);
  REQUIRE(resp.size() == 1);
  CHECK(resp[0].type == MessageType::kPreVoteResp);
  CHECK(resp[0].term == 5);
  CHECK_FALSE(resp[0].reject);
}

TEST_CASE("thesis 6.2: a leader that has not heard from a quorum for an election timeout steps down") {
  Solo s;
  s.Elect();
  s.Tick(10);
  CHECK(s.r().role() == StateRole::kFollower);
  CHECK(s.r().lead() == raft::kNone);

  Solo t;
  t.Elect();
  for (int i = 0; i < 30; ++i) {
    t.Tick(1);
    t.Step(Solo::Resp(MessageType::kHeartbeatResp, 2, 2));
  }
  CHECK(t.r().role() == StateRole::kLeader);
}

TEST_CASE("thesis 4.2.3: a follower that heard from its leader within the election timeout ignores vote requests, even of higher terms") {
  Solo s;
  s.Step(Solo::Resp(MessageType::kHeartbeat, 2, 1));
  auto resp = s.Step(Vote(MessageType::kVote, 3, 5, 10, 5));
  CHECK(resp.empty());
  CHECK(s.r().term() == 1);
  s.Tick(10);  // the lease expires with the election timeout
  resp = s.Step(Vote(MessageType::kVote, 3, 5, 10, 5));
  REQUIRE(resp.size() == 1);
  CHECK_FALSE(resp[0].reject);
}

TEST_CASE("a follower forwards proposals to its leader; without a leader the proposal is dropped with an error") {
  Solo s;
  common::Status st = s.raw().Propose("x");
  CHECK(st.code() == common::Code::kUnavailable);
  s.Step(Solo::Resp(MessageType::kHeartbeat, 2, 1));
  REQUIRE(s.raw().Propose("y").ok());
  auto props = OfType(s.Drain(), MessageType::kProp);
  REQUIRE(props.size() == 1);
  CHECK(props[0].to == 2);
  REQUIRE(props[0].entries.size() == 1);
  CHECK(props[0].entries[0].data == "y");
}

TEST_CASE("flow control: at most max_inflight_msgs appends are unacknowledged; a heartbeat answer lets one more through") {
  Solo s({1, 2, 3}, [](raft::Config& c) { c.max_inflight_msgs = 2; });
  s.Elect();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);  // node 2 now streams (replicate state)
  size_t sent = 0;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(s.raw().Propose("p").ok());
    for (const Message& m : OfType(s.Drain(), MessageType::kApp)) sent += m.to == 2;
  }
  CHECK(sent == 2);
  auto more = OfType(s.Step(Solo::Resp(MessageType::kHeartbeatResp, 2, 2)), MessageType::kApp);
  CHECK(more.size() == 1);
}

TEST_CASE("flow control: entries beyond max_size_per_msg are split over several appends") {
  Solo s({1, 2, 3}, [](raft::Config& c) { c.max_size_per_msg = 1; });
  s.Elect();
  for (int i = 0; i < 3; ++i) REQUIRE(s.raw().Propose("p").ok());
  s.Drain();  // node 2 is probing: nothing streams yet
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  auto apps = OfType(s.Step(ack), MessageType::kApp);
  REQUIRE(apps.size() == 3);
  for (const Message& m : apps) CHECK(m.entries.size() == 1);
}

TEST_CASE("paper 7: a follower installs a snapshot that is newer than its log and acknowledges it") {
  Solo s;
  Message snap = Solo::Resp(MessageType::kSnap, 2, 2);
  snap.snapshot.metadata.index = 10;
  snap.snapshot.metadata.term = 2;
  snap.snapshot.metadata.conf_state.voters = {1, 2, 3};
  snap.snapshot.data = "10:0";
  std::vector<Message> out;
  (void)s.raw().Step(snap);
  raft::Ready rd = s.node().HandleReady(&out);
  CHECK(rd.snapshot.metadata.index == 10);
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == MessageType::kAppResp);
  CHECK(out[0].index == 10);
  CHECK(*s.node().storage().FirstIndex() == 11);
  CHECK(s.r().log().committed() == 10);
  CHECK(s.node().sm().applied == 10);
}

TEST_CASE("paper 7: the leader sends its snapshot to a follower that needs compacted entries") {
  Solo s;
  s.Elect();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);
  s.node().Compact(0);  // snapshot at 4, log compacted
  Message rej = Solo::Resp(MessageType::kAppResp, 3, 2);
  rej.reject = true;
  rej.index = 3;
  rej.reject_hint = 0;
  auto snaps = OfType(s.Step(rej), MessageType::kSnap);  // it needs entries from 1
  REQUIRE(snaps.size() == 1);
  CHECK(snaps[0].snapshot.metadata.index == 4);
  CHECK(s.raw().GetStatus().progress.at(3).state == raft::ProgressState::kSnapshot);
  s.raw().ReportSnapshot(3, false);
  CHECK(s.raw().GetStatus().progress.at(3).state == raft::ProgressState::kProbe);
  CHECK(s.raw().GetStatus().progress.at(3).next == 5);
}

TEST_CASE("membership: only one configuration change may be pending at a time; a second becomes an empty entry") {
  Solo s;
  s.Elect();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);
  REQUIRE(s.raw().ProposeConfChange({raft::ConfChangeType::kAddNode, 4, ""}).ok());
  REQUIRE(s.raw().ProposeConfChange({raft::ConfChangeType::kAddNode, 5, ""}).ok());
  auto ents = s.r().log().Slice(5, 7, UINT64_MAX);
  REQUIRE(ents.ok());
  REQUIRE(ents->size() == 2);
  CHECK((*ents)[0].type == raft::EntryType::kConfChange);
  CHECK((*ents)[1].type == raft::EntryType::kNormal);
  CHECK((*ents)[1].data.empty());
}

TEST_CASE("thesis 3.10: leadership transfer sends TimeoutNow to an up-to-date transferee and refuses proposals meanwhile") {
  Solo s;
  s.Elect();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);
  REQUIRE(s.raw().TransferLeadership(2).ok());
  auto tn = OfType(s.Drain(), MessageType::kTimeoutNow);
  REQUIRE(tn.size() == 1);
  CHECK(tn[0].to == 2);
  CHECK(s.raw().Propose("x").code() == common::Code::kUnavailable);
  s.Tick(10);  // not done within an election timeout: abandoned
  CHECK(s.raw().Propose("x").ok());
}

TEST_CASE("thesis 3.10: a follower told TimeoutNow campaigns at once, and its vote requests pass the leader lease") {
  Solo s;
  s.Step(Solo::Resp(MessageType::kHeartbeat, 2, 1));
  auto votes = OfType(s.Step(Solo::Resp(MessageType::kTimeoutNow, 2, 1)), MessageType::kVote);
  CHECK(s.r().role() == StateRole::kCandidate);
  REQUIRE(votes.size() == 2);

  Solo t;
  t.Step(Solo::Resp(MessageType::kHeartbeat, 2, 1));  // in lease
  Message v = Vote(MessageType::kVote, 3, 2, 3, 1);
  v.context = votes[0].context;
  auto resp = t.Step(v);
  REQUIRE(resp.size() == 1);
  CHECK_FALSE(resp[0].reject);
}

TEST_CASE("thesis 6.4: a single-member leader answers a read index at once") {
  Solo s({1});
  s.raw().Campaign();
  s.Drain();
  REQUIRE(s.r().role() == StateRole::kLeader);
  REQUIRE(s.raw().ReadIndex("r1").ok());
  s.Drain();
  REQUIRE(s.last_ready().read_states.size() == 1);
  CHECK(s.last_ready().read_states[0].request_ctx == "r1");
  CHECK(s.last_ready().read_states[0].index == s.r().log().committed());
}

TEST_CASE("thesis 6.4: a leader answers a read index only after a quorum confirms its leadership, and not before committing in its term") {
  Solo s;
  s.Elect();
  REQUIRE(s.raw().ReadIndex("r1").ok());
  auto msgs = s.Drain();
  CHECK(OfType(msgs, MessageType::kHeartbeat).empty());  // nothing committed in term 2 yet
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  auto hbs = OfType(s.Step(ack), MessageType::kHeartbeat);
  REQUIRE(hbs.size() == 2);
  CHECK(hbs[0].context == "r1");
  CHECK(s.last_ready().read_states.empty());
  Message hr = Solo::Resp(MessageType::kHeartbeatResp, 3, 2);
  hr.context = "r1";
  s.Step(hr);
  REQUIRE(s.last_ready().read_states.size() == 1);
  CHECK(s.last_ready().read_states[0].index == 4);
}

TEST_CASE("an unreachable follower stops streaming and is probed again") {
  Solo s;
  s.Elect();
  Message ack = Solo::Resp(MessageType::kAppResp, 2, 2);
  ack.index = 4;
  s.Step(ack);
  CHECK(s.raw().GetStatus().progress.at(2).state == raft::ProgressState::kReplicate);
  s.raw().ReportUnreachable(2);
  CHECK(s.raw().GetStatus().progress.at(2).state == raft::ProgressState::kProbe);
}

TEST_CASE("a follower whose leader is unreachable campaigns a few ticks after the leader lease, not after a random wait") {
  Solo s({1, 2, 3}, {}, 7);
  s.Step(Solo::Resp(MessageType::kHeartbeat, 2, 1));
  REQUIRE(s.r().randomized_election_timeout() > 13);  // the seed's random wait is longer
  s.raw().ReportUnreachable(3);  // not the leader: nothing changes
  CHECK(s.r().randomized_election_timeout() > 13);
  s.raw().ReportUnreachable(2);
  CHECK(OfType(s.Tick(10), MessageType::kVote).empty());  // still inside the lease
  CHECK(OfType(s.Tick(3), MessageType::kVote).size() == 2);  // ticks 11 to 13
  CHECK(s.r().role() == StateRole::kCandidate);
}

TEST_CASE("Ready reports soft state changes and must_sync only for durable changes") {
  Solo s;
  s.raw().Campaign();
  std::vector<Message> out;
  raft::Ready rd = s.node().HandleReady(&out);
  REQUIRE(rd.soft_state.has_value());
  CHECK(rd.soft_state->role == StateRole::kCandidate);
  CHECK(rd.must_sync);
  CHECK_FALSE(s.raw().HasReady());
}
}

}  // namespace raft_test
