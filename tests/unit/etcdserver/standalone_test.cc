#include "server/etcdserver/standalone.h"

#include <doctest/doctest.h>

#include "server/etcdserver/conf_change.h"

namespace {

using etcdserver::Member;
using raft::ConfChangeType;

std::vector<std::string> Urls(const raft::ConfChange& cc) {
  return etcdserver::ConfChangeContext::Decode(cc.context)->peer_urls;
}

const std::vector<Member> kThree = {{1, "a", {"http://a:2380"}, {}},
                                    {2, "b", {"http://b:2380"}, {}},
                                    {3, "c", {"http://c:2380"}, {}}};

}  // namespace

TEST_SUITE("standalone") {
  TEST_CASE("a surviving member removes every other one and keeps itself") {
    auto changes = etcdserver::StandaloneChanges({1, 2, 3}, kThree, 2, {"http://b:2380"});
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].type == ConfChangeType::kRemoveNode);
    CHECK(changes[0].node_id == 1);
    CHECK(changes[1].type == ConfChangeType::kRemoveNode);
    CHECK(changes[1].node_id == 3);
  }

  TEST_CASE("a member that moved updates its peer URLs after the removals") {
    auto changes = etcdserver::StandaloneChanges({1, 2, 3}, kThree, 2, {"http://new:2380"});
    REQUIRE(changes.size() == 3);
    CHECK(changes[2].type == ConfChangeType::kUpdateNode);
    CHECK(changes[2].node_id == 2);
    CHECK(Urls(changes[2]) == std::vector<std::string>{"http://new:2380"});
    // Unknown URLs (a restart from DNS SRV) change nothing.
    CHECK(etcdserver::StandaloneChanges({1, 2, 3}, kThree, 2, {}).size() == 2);
  }

  TEST_CASE("a backup's new member id is added; a voter without a member record is removed too") {
    auto changes = etcdserver::StandaloneChanges({1, 2, 3, 4}, kThree, 9, {"http://z:2380"});
    REQUIRE(changes.size() == 5);
    for (int i = 0; i < 4; ++i) {
      CHECK(changes[i].type == ConfChangeType::kRemoveNode);
      CHECK(changes[i].node_id == static_cast<uint64_t>(i + 1));
    }
    CHECK(changes[4].type == ConfChangeType::kAddNode);
    CHECK(changes[4].node_id == 9);
    CHECK(Urls(changes[4]) == std::vector<std::string>{"http://z:2380"});
  }

  TEST_CASE("the entries follow the log in one term") {
    auto changes = etcdserver::StandaloneChanges({1, 2}, {kThree[0], kThree[1]}, 1, {"http://a:2380"});
    auto entries = etcdserver::ConfChangeEntries(changes, 7, 101);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].index == 101);
    CHECK(entries[0].term == 7);
    CHECK(entries[0].type == raft::EntryType::kConfChange);
    CHECK(raft::DecodeConfChange(entries[0].data).value() == changes[0]);
  }
}
