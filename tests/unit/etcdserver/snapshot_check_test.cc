#include "server/etcdserver/snapshot_check.h"

#include <doctest/doctest.h>

#include <string>

#include "server/store/store.h"

namespace {

constexpr uint64_t kSelf = 2;

raft::Message GoodSnapshot() {
  store::Store st;
  REQUIRE(st.Set("/app/key", false, "value", {}).ok());
  raft::Message m;
  m.type = raft::MessageType::kSnap;
  m.from = 1;
  m.to = kSelf;
  m.term = 4;
  m.snapshot.metadata = {30, 3, {{1, 2, 3}}};
  m.snapshot.data = st.Save();
  return m;
}

}  // namespace

TEST_SUITE("etcdserver") {
  TEST_CASE("snapshot check: a snapshot a leader made passes") {
    CHECK(etcdserver::CheckSnapshotMessage(GoodSnapshot(), kSelf).ok());
  }

  TEST_CASE("snapshot check: bad metadata or data that is no store is refused") {
    auto refused = [](raft::Message m) {
      common::Status s = etcdserver::CheckSnapshotMessage(m, kSelf);
      CHECK(s.code() == common::Code::kInvalidArgument);
      return !s.ok();
    };
    raft::Message m = GoodSnapshot();
    m.type = raft::MessageType::kApp;
    CHECK(refused(m));
    m = GoodSnapshot();
    m.to = 3;
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.metadata.index = 0;
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.metadata.term = 0;
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.metadata.term = 5;  // past the sender's term 4
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.metadata.conf_state.voters.clear();
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.metadata.conf_state.voters = {2, 1};
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.metadata.conf_state.voters = {0, 1};
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.data = "garbage";
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.data = m.snapshot.data.str().substr(0, m.snapshot.data.size() - 1);  // truncated
    CHECK(refused(m));
    m = GoodSnapshot();
    m.snapshot.data = std::string();
    CHECK(refused(m));
  }
}
