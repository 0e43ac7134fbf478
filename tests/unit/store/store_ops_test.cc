// Store operations beyond the transcript: index sequencing, implicit dirs,
// hidden nodes in listings, in-order keys, flags etcd ignores, stats.
#include <doctest/doctest.h>

#include "tests/unit/store/store_test_util.h"

namespace {

using store_test::At;
using store_test::Body;
using store_test::kSecond;

TEST_SUITE("store") {

TEST_CASE("failed operations and reads consume no index") {
  store::Store s;
  s.Set("/1/k", false, "v", {});
  CHECK(s.Index() == 1);
  s.Get("/1/k", false, false);
  s.Get("/1/none", false, false);
  s.Create("/1/k", false, "v", false, {});
  s.Update("/1/none", "v", {});
  s.CompareAndSwap("/1/k", "bad", 0, "v", {});
  s.Delete("/1/none", false, false);
  s.CompareAndDelete("/1/k", "", 7);
  s.Set("/1/k/x", false, "v", {});
  CHECK(s.Index() == 1);
  CHECK(s.Set("/1/k2", false, "v", {}).value().etcd_index == 2);
}

TEST_CASE("set creates missing parents as permanent dirs at the new index") {
  store::Store s;
  s.Set("/1/x", false, "v", {});
  const int64_t exp = 1800000000 * kSecond;
  auto e = s.Set("/1/a/b/c", false, "v", At(exp));
  REQUIRE(e.ok());
  CHECK(e.value().IsCreated());
  CHECK(Body(s.Get("/1/a", true, true)) ==
        "{\"action\":\"get\",\"node\":{\"key\":\"/a\",\"dir\":true,\"nodes\":[{\"key\":\"/a/b\","
        "\"dir\":true,\"nodes\":[{\"key\":\"/a/b/c\",\"value\":\"v\",\"expiration\":"
        "\"2027-01-15T08:00:00Z\",\"ttl\":1800000000,\"modifiedIndex\":2,\"createdIndex\":2}],"
        "\"modifiedIndex\":2,\"createdIndex\":2}],\"modifiedIndex\":2,\"createdIndex\":2}}\n");
}

TEST_CASE("get reports the first missing path and the key in the way") {
  store::Store s;
  s.Set("/1/a/k", false, "v", {});
  CHECK(s.Get("/1/nod/x/y", false, false).error().cause == "/nod");
  CHECK(s.Get("/1/a/nod/y", false, false).error().cause == "/a/nod");
  auto through = s.Get("/1/a/k/y/z", false, false);
  CHECK(through.error().code == store::kEcodeNotDir);
  CHECK(through.error().cause == "/a/k");
  CHECK(through.error().HttpStatus() == 400);
  CHECK(s.Create("/1/a/k/y", false, "v", false, {}).error().cause == "/a/k");
  CHECK(s.Get("/0/none", false, false).error().cause == "/0/none");  // internal paths stay whole
}

TEST_CASE("hidden nodes are left out of listings at every depth but stay readable") {
  store::Store s;
  s.Set("/1/_h", false, "1", {});
  s.Set("/1/d/_x/y", false, "1", {});
  s.Set("/1/d/v", false, "1", {});
  s.Set("/1/d/e/_z", false, "1", {});
  CHECK(Body(s.Get("/1", true, true)) ==
        "{\"action\":\"get\",\"node\":{\"dir\":true,\"nodes\":[{\"key\":\"/d\",\"dir\":true,"
        "\"nodes\":[{\"key\":\"/d/e\",\"dir\":true,\"modifiedIndex\":4,\"createdIndex\":4},"
        "{\"key\":\"/d/v\",\"value\":\"1\",\"modifiedIndex\":3,\"createdIndex\":3}],"
        "\"modifiedIndex\":2,\"createdIndex\":2}]}}\n");
  CHECK(s.Get("/1/d/_x/y", false, false).ok());
  CHECK(s.Get("/1/d/_x", true, false).value().node.nodes.size() == 1);
}

TEST_CASE("listings are sorted bytewise by key") {
  store::Store s;
  for (const char* k : {"/1/l/b", "/1/l/a b", "/1/l/B", "/1/l/a", "/1/l/\xc3\xa9", "/1/l/aa"}) {
    s.Set(k, false, "", {});
  }
  auto e = s.Get("/1/l", false, true);
  std::vector<std::string> keys;
  for (const auto& n : e.value().node.nodes) keys.push_back(n.key);
  CHECK(keys == std::vector<std::string>{"/1/l/B", "/1/l/a", "/1/l/a b", "/1/l/aa", "/1/l/b",
                                         "/1/l/\xc3\xa9"});
}

TEST_CASE("set replaces a key: both indexes are new; update and CAS keep createdIndex") {
  store::Store s;
  s.Set("/1/k", false, "a", {});
  auto set = s.Set("/1/k", false, "b", {});
  CHECK(set.value().node.created_index == 2);
  CHECK(set.value().prev_node->created_index == 1);
  auto upd = s.Update("/1/k", "c", {});
  CHECK(upd.value().node.created_index == 2);
  CHECK(upd.value().node.modified_index == 3);
  auto cas = s.CompareAndSwap("/1/k", "", 3, "d", {});
  CHECK(cas.value().node.created_index == 2);
  CHECK(cas.value().node.modified_index == 4);
  auto key_to_dir = s.Set("/1/k", true, "ignored", {});
  CHECK(key_to_dir.value().node.dir);
  CHECK_FALSE(key_to_dir.value().node.value);
  CHECK(key_to_dir.value().prev_node->value == std::string("d"));
}

TEST_CASE("update of a dir: a value is refused, the TTL changes, modifiedIndex does not") {
  store::Store s;
  s.Set("/1/d", true, "", {});
  auto refused = s.Update("/1/d", "v", {});
  CHECK(refused.error().code == store::kEcodeNotFile);
  CHECK(refused.error().HttpStatus() == 403);
  CHECK(s.Update("/1/d", "", At(1800000000 * kSecond)).value().node.modified_index == 2);
  CHECK(s.Get("/1/d", false, false).value().node.modified_index == 1);
}

TEST_CASE("delete: keys ignore dir/recursive, dirs need them") {
  store::Store s;
  s.Set("/1/k1", false, "v", {});
  s.Set("/1/k2", false, "v", {});
  CHECK(s.Delete("/1/k1", true, false).ok());
  CHECK(s.Delete("/1/k2", false, true).ok());
  s.Set("/1/d/x", false, "v", {});
  CHECK(s.Delete("/1/d", false, false).error().code == store::kEcodeNotFile);
  CHECK(s.Delete("/1/d", true, false).error().code == store::kEcodeDirNotEmpty);
  CHECK(s.Delete("/1/d", true, false).error().HttpStatus() == 403);
  auto del = s.Delete("/1/d", false, true);
  CHECK(del.value().node.dir);
  CHECK(s.Get("/1/d/x", false, false).error().code == store::kEcodeKeyNotFound);
}

TEST_CASE("create: existing dir answers 105; in-order names are the zero-padded index") {
  store::Store s;
  s.Set("/1/dv", true, "", {});
  auto exists = s.Create("/1/dv", true, "", false, {});
  CHECK(exists.error().code == store::kEcodeNodeExist);
  CHECK(exists.error().cause == "/dv");
  CHECK(exists.error().HttpStatus() == 412);
  s.Set("/1/other", false, "", {});
  auto q1 = s.Create("/1/q", false, "j", true, {});
  auto q2 = s.Create("/1/q", true, "", true, {});
  CHECK(q1.value().node.key == "/1/q/00000000000000000003");
  CHECK(q2.value().node.key == "/1/q/00000000000000000004");
  CHECK(q2.value().node.dir);
  CHECK(q1.value().IsCreated());
}

TEST_CASE("compare-and-swap and compare-and-delete need a key and matching conditions") {
  store::Store s;
  s.Set("/1/k", false, "v", {});
  CHECK(s.CompareAndSwap("/1/k", "v", 1, "w", {}).ok());
  auto fail = s.CompareAndSwap("/1/k", "v", 0, "x", {});
  CHECK(fail.error().cause == "[v != w]");
  CHECK(fail.error().HttpStatus() == 412);
  CHECK(s.CompareAndDelete("/1/k", "", 1).error().cause == "[1 != 2]");
  CHECK(s.CompareAndDelete("/1/none", "x", 0).error().code == store::kEcodeKeyNotFound);
  CHECK(s.CompareAndDelete("/1/k", "w", 2).value().action == "compareAndDelete");
}

TEST_CASE("paths are cleaned the way Go's path.Clean does") {
  CHECK(store::CleanPath("") == "/");
  CHECK(store::CleanPath("/") == "/");
  CHECK(store::CleanPath("/1/") == "/1");
  CHECK(store::CleanPath("a//b/../c/./d/") == "/a/c/d");
  CHECK(store::CleanPath("/../..") == "/");
  CHECK(store::CleanPath("/1/k1/") == "/1/k1");
  CHECK(store::CleanPath("/1/...") == "/1/...");
  CHECK(store::CleanPath("/1/.a/..b") == "/1/.a/..b");
  store::Store s;
  s.Set("/1//a/./b/", false, "v", {});
  CHECK(s.Get("/1/a/b", false, false).ok());
}

TEST_CASE("stats count every outcome and render in etcd's field order") {
  store::Store s;
  s.Get("/1/none", false, false);
  s.Set("/1/k", false, "v", {});
  s.Create("/1/k/x", false, "v", false, {});  // etcd also counts a setsFail here
  s.Update("/1/k", "w", {});
  s.CompareAndSwap("/1/k", "nope", 0, "x", {});
  s.CompareAndDelete("/1/k", "w", 0);
  s.Set("/1/t", false, "v", At(1800000000 * kSecond));
  s.DeleteExpiredKeys(1800000000 * kSecond);
  s.Delete("/1/t", false, false);
  auto w = s.Watch("/1/w", false, false, 0, nullptr);
  CHECK(s.StatsJson() ==
        "{\"getsSuccess\":0,\"getsFail\":1,\"setsSuccess\":2,\"setsFail\":1,\"deleteSuccess\":0,"
        "\"deleteFail\":1,\"updateSuccess\":1,\"updateFail\":0,\"createSuccess\":0,"
        "\"createFail\":1,\"compareAndSwapSuccess\":0,\"compareAndSwapFail\":1,"
        "\"compareAndDeleteSuccess\":1,\"compareAndDeleteFail\":0,\"expireCount\":1,"
        "\"watchers\":1}");
}

TEST_CASE("error JSON and the error table") {
  store::V2Error e{store::kEcodeKeyNotFound, "/a \"q\"", 7};
  CHECK(e.Json() ==
        "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/a \\\"q\\\"\",\"index\":7}\n");
  CHECK(store::V2Error{store::kEcodeRaftInternal, "", 0}.Json() ==
        "{\"errorCode\":300,\"message\":\"Raft Internal Error\",\"index\":0}\n");
  CHECK(store::ErrorHttpStatus(300) == 500);
  CHECK(store::ErrorHttpStatus(301) == 500);
  CHECK(store::ErrorHttpStatus(110) == 401);
  CHECK(store::ErrorHttpStatus(105) == 412);
  CHECK(store::ErrorHttpStatus(107) == 400);
  CHECK(store::ErrorHttpStatus(401) == 400);
  CHECK(std::string(store::ErrorMessage(211)) == "Value provided on refresh");
  CHECK(std::string(store::ErrorMessage(212)) == "A TTL must be provided on refresh");
  CHECK(std::string(store::ErrorMessage(210)) == "Invalid POST form");
  CHECK(std::string(store::ErrorMessage(400)) == "watcher is cleared due to etcd recovery");
  CHECK(std::string(store::ErrorMessage(999)).empty());
}

}  // TEST_SUITE

}  // namespace
