#include "server/etcdserver/reconfig_check.h"

#include <doctest/doctest.h>

#include <map>

namespace {

using Clock = std::chrono::steady_clock;
using etcdserver::Member;

const Clock::time_point kNow = Clock::time_point{} + std::chrono::hours(1);
const Clock::time_point kLongAgo = kNow - std::chrono::seconds(60);
const Clock::time_point kJustNow = kNow - std::chrono::seconds(1);

// Members 1..n, all started; `active` says since when each peer answers.
struct Cluster {
  std::vector<Member> members;
  std::map<uint64_t, Clock::time_point> active;

  explicit Cluster(int n) {
    for (int i = 1; i <= n; ++i) {
      members.push_back(Member{static_cast<uint64_t>(i), "m" + std::to_string(i), {}, {}});
      active[i] = kLongAgo;
    }
  }
  etcdserver::ActiveSinceFn Fn() const {
    return [this](uint64_t id) {
      auto it = active.find(id);
      return it == active.end() ? Clock::time_point{} : it->second;
    };
  }
  bool CanAdd() const { return etcdserver::ReadyToAddMember(members, 1, Fn(), kNow); }
  bool CanRemove(uint64_t id) const { return etcdserver::ReadyToRemoveMember(members, 1, id, Fn(), kNow); }
};

}  // namespace

TEST_SUITE("etcdserver") {
  TEST_CASE("strict reconfig: add needs a started quorum and every peer reachable for 5 s") {
    Cluster c(3);
    CHECK(c.CanAdd());
    c.active[3] = kJustNow;  // reconnected a second ago
    CHECK_FALSE(c.CanAdd());
    c.active[3] = {};  // down
    CHECK_FALSE(c.CanAdd());
    c.active[3] = kLongAgo;
    c.members.push_back(Member{4, "", {}, {}});  // added, not started: not reachable
    CHECK_FALSE(c.CanAdd());
    c.active[4] = kLongAgo;  // it started and has answered since
    c.members[3].name = "m4";
    CHECK(c.CanAdd());
  }

  TEST_CASE("strict reconfig: started members must be a quorum of the grown cluster") {
    Cluster c(3);
    c.members[1].name = c.members[2].name = "";  // 1 of 3 started: 1 < quorum of 4
    c.active[2] = c.active[3] = kLongAgo;
    CHECK_FALSE(c.CanAdd());
    Cluster one(1);
    CHECK(one.CanAdd());  // one started member may add a second (restoring a cluster)
  }

  TEST_CASE("strict reconfig: removing a member that is down is safe, a live one needs a quorum left") {
    Cluster c(3);
    CHECK(c.CanRemove(3));
    c.active[2] = {};  // member 2 is down
    CHECK(c.CanRemove(2));
    // Removing live member 3 would leave 1 and the dead 2: 1 active < quorum of 2.
    CHECK_FALSE(c.CanRemove(3));
    c.active[2] = kJustNow;  // back, but not for long enough
    CHECK_FALSE(c.CanRemove(3));
    c.active[2] = kLongAgo;
    CHECK(c.CanRemove(3));
    CHECK(c.CanRemove(1));  // self: the others are a quorum of what remains
  }

  TEST_CASE("strict reconfig: a remove needs a started quorum of the rest") {
    Cluster c(3);
    c.members[1].name = "";  // member 2 never started
    CHECK_FALSE(c.CanRemove(3));  // leaves 1 started of 2
    CHECK(c.CanRemove(2));        // leaves 2 started of 2
  }
}
