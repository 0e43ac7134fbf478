// Membership in the store (/0) as conf change entries write it: what a peer's
// log entry carries must never stop the apply thread.
#include "server/etcdserver/membership.h"

#include <doctest/doctest.h>

#include <string>

#include "server/etcdserver/conf_change.h"

namespace {

// Found by fuzz/peer_message_fuzz.cc: an add-node conf change entry whose
// context holds a peer URL with a byte that is not UTF-8 (0xb7). Writing its
// raftAttributes threw from nlohmann::json::dump, which ended the process.
const std::string kConfChangeBadUtf8(
    "\x00\x48\x0e\xa5\xfd\x79\x23\x42\xfd\x09\x01\x16ht\xb7p://127.0.0.1:22388", 34);

}  // namespace

TEST_SUITE("etcdserver") {
  TEST_CASE("a conf change whose peer URL is not UTF-8 is applied, the byte written as U+FFFD") {
    auto cc = raft::DecodeConfChange(kConfChangeBadUtf8);
    REQUIRE(cc.ok());
    auto ctx = etcdserver::ConfChangeContext::Decode(cc->context);
    REQUIRE(ctx.has_value());
    store::Store st;
    REQUIRE(etcdserver::CheckConfChange(st, *cc, *ctx).ok());
    etcdserver::ApplyConfChangeToStore(st, *cc, *ctx);
    auto members = etcdserver::ReadMembers(st);
    REQUIRE(members.size() == 1);
    CHECK(members[0].id == cc->node_id);
    CHECK(members[0].peer_urls == std::vector<std::string>{"ht\xef\xbf\xbdp://127.0.0.1:22388"});
    CHECK(etcdserver::MemberJson(members[0]) ==
          "{\"id\":\"fd422379fda50e48\",\"name\":\"\",\"peerURLs\":[\"ht\xef\xbf\xbdp://127.0.0.1:22388\"],"
          "\"clientURLs\":[]}");
  }

  TEST_CASE("attributes nested half a million levels deep are read without exhausting the stack") {
    // Found while fuzzing member JSON: reading the attributes copied the
    // parsed document, recursing once per level.
    const std::string deep = std::string(500000, '[') + std::string(500000, ']');
    store::Store st;
    const uint64_t id = 0x8e9e05c52164694d;
    st.Set(etcdserver::RaftAttributesPath(id), false, "{\"peerURLs\":[\"http://a:2380\"],\"x\":" + deep + "}", {});
    st.Set(etcdserver::AttributesPath(id), false, "{\"name\":\"m\",\"clientURLs\":" + deep + "}", {});
    auto members = etcdserver::ReadMembers(st);
    REQUIRE(members.size() == 1);
    CHECK(members[0].name == "m");
    CHECK(members[0].peer_urls == std::vector<std::string>{"http://a:2380"});
    CHECK(members[0].client_urls.empty());
  }

  TEST_CASE("member JSON escapes as Go does") {
    etcdserver::Member m{0x10, "a<b>&\xff", {"http://x:1"}, {}};
    CHECK(etcdserver::MemberJson(m) ==
          "{\"id\":\"10\",\"name\":\"a\\u003cb\\u003e\\u0026\\ufffd\",\"peerURLs\":[\"http://x:1\"],"
          "\"clientURLs\":[]}");
    CHECK(etcdserver::AttributesJson("n\xff", {"http://a:2379"}) ==
          "{\"name\":\"n\\ufffd\",\"clientURLs\":[\"http://a:2379\"]}");
  }
}
