// A snapshot from a peer is installed only when its data decodes into a
// store whose members include every voter of its configuration. (Its
// metadata's own sanity is raft::CheckMessage's: tests/unit/raft/refusal_test.cc.)
#include "server/etcdserver/snapshot_check.h"

#include <doctest/doctest.h>

#include <string>

#include "server/etcdserver/membership.h"
#include "server/raft/validate.h"
#include "server/store/store.h"

namespace {

// A store holding these members and a user key, saved.
std::string StoreWith(const std::vector<uint64_t>& ids, uint64_t extra_writes = 0) {
  store::Store st;
  for (uint64_t id : ids) {
    REQUIRE(st.Set(etcdserver::RaftAttributesPath(id), false, etcdserver::RaftAttributesJson({"http://127.0.0.1:2380"}), {}).ok());
  }
  for (uint64_t i = 0; i < extra_writes; ++i) REQUIRE(st.Set("/1/k", false, "v", {}).ok());
  return st.Save();
}

raft::Snapshot Snap(uint64_t index, std::vector<uint64_t> voters, std::string data) {
  raft::Snapshot s;
  s.metadata.index = index;
  s.metadata.term = 2;
  s.metadata.conf_state.voters = std::move(voters);
  s.data = std::move(data);
  return s;
}

}  // namespace

TEST_SUITE("etcdserver") {
  TEST_CASE("snapshot check: a snapshot of a real store with its voters as members is taken") {
    CHECK(etcdserver::CheckSnapshot(Snap(10, {1, 2, 3}, StoreWith({1, 2, 3}))).ok());
    // A member added after the voters were recorded does no harm.
    CHECK(etcdserver::CheckSnapshot(Snap(10, {1, 2}, StoreWith({1, 2, 3}))).ok());
  }

  TEST_CASE("snapshot check: garbage, a voter that is no member, or a store ahead of the snapshot is refused") {
    auto garbage = etcdserver::CheckSnapshot(Snap(10, {1, 2, 3}, "garbage"));
    CHECK(garbage.code() == common::Code::kInvalidArgument);
    CHECK(garbage.message().find("snapshot data") == 0);
    CHECK_FALSE(etcdserver::CheckSnapshot(Snap(10, {1, 2, 3}, "")).ok());
    std::string good = StoreWith({1, 2, 3}, 2);
    auto truncated = etcdserver::CheckSnapshot(Snap(10, {1, 2, 3}, good.substr(0, good.size() - 1)));
    CHECK(truncated.code() == common::Code::kInvalidArgument);
    auto stranger = etcdserver::CheckSnapshot(Snap(10, {1, 2, 7}, StoreWith({1, 2, 3})));
    CHECK(stranger.code() == common::Code::kInvalidArgument);
    CHECK(stranger.message().find("voter 7") != std::string::npos);
    // Three member writes and eight more: store index 11, past raft index 10.
    CHECK_FALSE(etcdserver::CheckSnapshot(Snap(10, {1, 2, 3}, StoreWith({1, 2, 3}, 8))).ok());
    CHECK(etcdserver::CheckSnapshot(Snap(11, {1, 2, 3}, StoreWith({1, 2, 3}, 8))).ok());
  }

  TEST_CASE("snapshot check: a store listing more members than raft takes voters is refused") {
    std::vector<uint64_t> many;
    for (uint64_t id = 1; id <= raft::kMaxVoters + 1; ++id) many.push_back(id);
    CHECK_FALSE(etcdserver::CheckSnapshot(Snap(5000, {1, 2, 3}, StoreWith(many))).ok());
  }
}
