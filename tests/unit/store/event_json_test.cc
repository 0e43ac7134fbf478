// EventJson: etcd's field order, omission rules, key prefix stripping,
// escaping and time format.
#include <doctest/doctest.h>

#include "server/store/event.h"
#include "tests/unit/store/store_test_util.h"

namespace {

using store_test::kSecond;

TEST_SUITE("store") {

TEST_CASE("EventJson prints fields in etcd's order and omits empty ones") {
  store::Event e;
  e.action = "get";
  e.node.key = "/1";
  e.node.dir = true;
  store::NodeExtern child;
  child.key = "/1/a";
  child.value = "";
  child.modified_index = 3;
  child.created_index = 2;
  e.node.nodes.push_back(child);
  CHECK(store::EventJson(e, 0, "/1") ==
        "{\"action\":\"get\",\"node\":{\"dir\":true,\"nodes\":[{\"key\":\"/a\",\"value\":\"\","
        "\"modifiedIndex\":3,\"createdIndex\":2}]}}\n");
  CHECK(store::EventJson(e, 0, "") ==
        "{\"action\":\"get\",\"node\":{\"key\":\"/1\",\"dir\":true,\"nodes\":[{\"key\":\"/1/a\","
        "\"value\":\"\",\"modifiedIndex\":3,\"createdIndex\":2}]}}\n");
  CHECK(store::EventJson(e, 0, "/1", true) == "{\"action\":\"get\"}\n");
}

TEST_CASE("EventJson escapes keys and values like Go and keeps UTF-8") {
  // Observed: PUT /v2/keys/%3C%E2%80%A8%FF -> "key":"/\u003c\u2028\ufffd";
  // PUT /v2/keys/a%20b/%C3%A9 -> key "/a b/é".
  store::Store s;
  auto odd = s.Set("/1/<\xe2\x80\xa8\xff", false, "1", {});
  CHECK(store_test::Body(odd) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/\\u003c\\u2028\\ufffd\",\"value\":\"1\","
        "\"modifiedIndex\":1,\"createdIndex\":1}}\n");
  auto utf8 = s.Set("/1/a b/\xc3\xa9", false, "\xe2\x82\xac & \"q\"\n", {});
  CHECK(store_test::Body(utf8) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/a b/\xc3\xa9\",\"value\":\"\xe2\x82\xac \\u0026 "
        "\\\"q\\\"\\n\",\"modifiedIndex\":2,\"createdIndex\":2}}\n");
}

TEST_CASE("expiration is RFC 3339 UTC with trailing zeros trimmed") {
  store::Event e;
  e.action = "set";
  e.node.key = "/1/k";
  e.node.value = "v";
  e.node.modified_index = e.node.created_index = 1;
  auto render = [&](int64_t expire_ns, int64_t now_ns) {
    e.node.expire_ns = expire_ns;
    return store::EventJson(e, now_ns, "/1");
  };
  const int64_t t = store_test::ParseTime("2026-11-21T23:03:13.398083121Z");
  CHECK(render(t, t - 5 * kSecond + 1).find("\"expiration\":\"2026-11-21T23:03:13.398083121Z\","
                                           "\"ttl\":5,") != std::string::npos);
  CHECK(render(t - 398083121 + 120000000, 0).find("\"2026-11-21T23:03:13.12Z\"") !=
        std::string::npos);
  CHECK(render(store_test::ParseTime("2000-02-29T00:00:00Z"), 0)
            .find("\"2000-02-29T00:00:00Z\"") != std::string::npos);
  CHECK(render(store_test::ParseTime("2100-12-31T23:59:59.000000001Z"), 0)
            .find("\"2100-12-31T23:59:59.000000001Z\"") != std::string::npos);
  // Exactly N seconds left renders N, a nanosecond more renders N+1.
  CHECK(render(t, t - 7 * kSecond).find("\"ttl\":7,") != std::string::npos);
  CHECK(render(t, t - 7 * kSecond - 1).find("\"ttl\":8,") != std::string::npos);
}

TEST_CASE("IsCreated: create, or set with nothing before") {
  store::Event e;
  e.action = "create";
  CHECK(e.IsCreated());
  e.action = "set";
  CHECK(e.IsCreated());
  e.prev_node = store::NodeExtern{};
  CHECK_FALSE(e.IsCreated());
  e.action = "update";
  CHECK_FALSE(e.IsCreated());
}

}  // TEST_SUITE

}  // namespace
