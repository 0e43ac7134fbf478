// Membership changes are checked at apply, the same on every member: beyond
// etcd's checks, id 0 (raft's "no node") and a member count that snapshots
// could no longer carry are refused.
#include "server/etcdserver/conf_change.h"

#include <doctest/doctest.h>

#include "server/etcdserver/membership.h"
#include "server/raft/validate.h"

namespace {

raft::ConfChange Add(uint64_t id) { return raft::ConfChange{raft::ConfChangeType::kAddNode, id, ""}; }

etcdserver::ConfChangeContext Urls(uint64_t id) {
  return etcdserver::ConfChangeContext{1, {"http://10.0.0.1:" + std::to_string(id)}};
}

}  // namespace

TEST_SUITE("etcdserver") {
  TEST_CASE("conf change: id 0 and members past raft::kMaxVoters are refused at apply") {
    store::Store st;
    auto zero = etcdserver::CheckConfChange(st, Add(0), Urls(0));
    CHECK(zero.code() == common::Code::kInvalidArgument);
    CHECK(zero.message() == "membership: invalid ID 0");
    for (uint64_t id = 1; id <= raft::kMaxVoters; ++id) {
      REQUIRE(etcdserver::CheckConfChange(st, Add(id), Urls(id)).ok());
      etcdserver::ApplyConfChangeToStore(st, Add(id), Urls(id));
    }
    CHECK(etcdserver::ReadMembers(st).size() == raft::kMaxVoters);
    auto full = etcdserver::CheckConfChange(st, Add(raft::kMaxVoters + 1), Urls(raft::kMaxVoters + 1));
    CHECK(full.message() == "membership: too many members");
    // Removing one is still possible, and makes room.
    raft::ConfChange remove{raft::ConfChangeType::kRemoveNode, 5, ""};
    REQUIRE(etcdserver::CheckConfChange(st, remove, {}).ok());
    etcdserver::ApplyConfChangeToStore(st, remove, {});
    CHECK(etcdserver::CheckConfChange(st, Add(raft::kMaxVoters + 1), Urls(raft::kMaxVoters + 1)).ok());
  }
}
