// A leader's commit-only appends wait for the next append to the same
// follower, at most the hold; followers that forward requests get them at once.
#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "server/etcdserver/commit_notices.h"

namespace etcdserver {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using Clock = CommitNotices::Clock;

raft::Message App(raft::NodeId to, uint64_t commit, bool commit_only) {
  raft::Message m;
  m.type = raft::MessageType::kApp;
  m.from = 1;
  m.to = to;
  m.commit = commit;
  m.commit_only = commit_only;
  if (!commit_only) m.entries = {raft::Entry{1, commit + 1, raft::EntryType::kNormal, "x"}};
  return m;
}

raft::Message From(raft::NodeId from, raft::MessageType type) {
  raft::Message m;
  m.type = type;
  m.from = from;
  m.to = 1;
  return m;
}

TEST_SUITE("etcdserver") {
  TEST_CASE("commit notices: held until due, the latest one per follower") {
    CommitNotices n(microseconds(1000));
    const Clock::time_point t0{};
    raft::Message hb;
    hb.type = raft::MessageType::kHeartbeat;
    hb.to = 2;
    auto out = n.Filter({App(2, 5, true), App(3, 5, true), hb}, t0);
    REQUIRE(out.size() == 1);  // the heartbeat
    CHECK(out[0].type == raft::MessageType::kHeartbeat);
    REQUIRE(n.Due().has_value());
    CHECK(*n.Due() == t0 + milliseconds(1));
    CHECK(n.Filter({App(2, 6, true)}, t0 + microseconds(500)).empty());
    CHECK(*n.Due() == t0 + milliseconds(1));  // a newer notice does not put it off
    CHECK(n.TakeDue(t0 + microseconds(999)).empty());
    auto due = n.TakeDue(t0 + milliseconds(1));
    REQUIRE(due.size() == 2);
    CHECK(due[0].to == 2);
    CHECK(due[0].commit == 6);
    CHECK(due[1].to == 3);
    CHECK_FALSE(n.Due().has_value());
  }

  TEST_CASE("commit notices: an append with entries replaces the held notice") {
    CommitNotices n(microseconds(1000));
    const Clock::time_point t0{};
    n.Filter({App(2, 5, true), App(3, 5, true)}, t0);
    auto out = n.Filter({App(2, 7, false)}, t0 + microseconds(200));
    REQUIRE(out.size() == 1);
    CHECK(out[0].entries.size() == 1);
    auto due = n.TakeDue(t0 + milliseconds(5));
    REQUIRE(due.size() == 1);
    CHECK(due[0].to == 3);
  }

  TEST_CASE("commit notices: a follower that forwards proposals or reads gets them at once") {
    CommitNotices n(microseconds(1000));
    const Clock::time_point t0{};
    n.Received({From(2, raft::MessageType::kProp)}, t0);
    auto out = n.Filter({App(2, 5, true), App(3, 5, true)}, t0);
    REQUIRE(out.size() == 1);
    CHECK(out[0].to == 2);
    // A read request from 3 makes its held notice due now.
    n.Received({From(3, raft::MessageType::kReadIndex)}, t0 + microseconds(10));
    auto due = n.TakeDue(t0 + microseconds(10));
    REQUIRE(due.size() == 1);
    CHECK(due[0].to == 3);
    // Once 2 has not forwarded anything for a while, its notices wait again.
    CHECK(n.Filter({App(2, 6, true)}, t0 + CommitNotices::kProposerWindow).empty());
  }

  TEST_CASE("commit notices: a leader that steps down forgets what it held") {
    CommitNotices n(microseconds(1000));
    const Clock::time_point t0{};
    n.Filter({App(2, 5, true)}, t0);
    n.Clear();
    CHECK_FALSE(n.Due().has_value());
    CHECK(n.TakeDue(t0 + milliseconds(5)).empty());
  }

  TEST_CASE("commit notices: the forwarders remembered are bounded, expired ones make room") {
    CommitNotices n(microseconds(1000));
    const Clock::time_point t0{};
    for (raft::NodeId id = 1; id <= 10 * CommitNotices::kMaxForwarders; ++id) {
      n.Received({From(id, raft::MessageType::kProp)}, t0);
    }
    CHECK(n.forwarders() == CommitNotices::kMaxForwarders);
    // A forwarder past the bound is treated like any follower: its notice is held.
    raft::NodeId late = 20 * CommitNotices::kMaxForwarders;
    n.Received({From(late, raft::MessageType::kProp)}, t0);
    CHECK(n.Filter({App(late, 5, true)}, t0).empty());
    // Once the others expired, it is remembered.
    const Clock::time_point later = t0 + CommitNotices::kProposerWindow;
    n.Received({From(late, raft::MessageType::kReadIndex)}, later);
    CHECK(n.forwarders() == 1);
    CHECK(n.Filter({App(late, 6, true)}, later).size() == 1);
  }
}

}  // namespace
}  // namespace etcdserver
