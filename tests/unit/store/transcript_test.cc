// Replays the keys section of shared/spec/examples/etcd-3.4.23-transcripts.md
// against the store and compares each body byte for byte with what etcd
// printed (same operations, same indexes, same expire times).
#include <doctest/doctest.h>

#include "tests/unit/store/store_test_util.h"

namespace {

using store_test::At;
using store_test::Body;
using store_test::kSecond;
using store_test::ParseTime;

TEST_SUITE("store") {

TEST_CASE("the keys transcript of etcd 3.4.23 replays byte for byte") {
  store::Store s;
  store_test::InternalWrites(&s);

  CHECK(Body(s.Get("/1", false, false)) == "{\"action\":\"get\",\"node\":{\"dir\":true}}\n");
  CHECK(Body(s.Set("/1/message", false, "Hello world", {})) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/message\",\"value\":\"Hello world\","
        "\"modifiedIndex\":4,\"createdIndex\":4}}\n");
  auto second = s.Set("/1/message", false, "Hello etcd", {});
  CHECK(second.value().etcd_index == 5);
  CHECK_FALSE(second.value().IsCreated());
  CHECK(Body(second) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/message\",\"value\":\"Hello etcd\","
        "\"modifiedIndex\":5,\"createdIndex\":5},\"prevNode\":{\"key\":\"/message\","
        "\"value\":\"Hello world\",\"modifiedIndex\":4,\"createdIndex\":4}}\n");
  CHECK(Body(s.Get("/1/message", false, false)) ==
        "{\"action\":\"get\",\"node\":{\"key\":\"/message\",\"value\":\"Hello etcd\","
        "\"modifiedIndex\":5,\"createdIndex\":5}}\n");
  CHECK(Body(s.Get("/1/nokey", false, false)) ==
        "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/nokey\",\"index\":5}\n");
  CHECK(Body(s.Get("/1/message/child", false, false)) ==
        "{\"errorCode\":104,\"message\":\"Not a directory\",\"cause\":\"/message\",\"index\":5}\n");
  CHECK(Body(s.Set("/1/message/child", false, "x", {})) ==
        "{\"errorCode\":104,\"message\":\"Not a directory\",\"cause\":\"/message\",\"index\":5}\n");

  const int64_t foo_exp = ParseTime("2026-11-21T23:03:13.398083121Z");
  const int64_t foo_now = foo_exp - 5 * kSecond + 1000;
  CHECK(Body(s.Set("/1/foo", false, "bar", At(foo_exp)), foo_now) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"expiration\":"
        "\"2026-11-21T23:03:13.398083121Z\",\"ttl\":5,\"modifiedIndex\":6,\"createdIndex\":6}}\n");
  CHECK(Body(s.Update("/1/foo", "bar", {}), foo_now) ==
        "{\"action\":\"update\",\"node\":{\"key\":\"/foo\",\"value\":\"bar\",\"modifiedIndex\":7,"
        "\"createdIndex\":6},\"prevNode\":{\"key\":\"/foo\",\"value\":\"bar\",\"expiration\":"
        "\"2026-11-21T23:03:13.398083121Z\",\"ttl\":5,\"modifiedIndex\":6,\"createdIndex\":6}}\n");
  CHECK(Body(s.Create("/1/foo", false, "three", false, {})) ==
        "{\"errorCode\":105,\"message\":\"Key already exists\",\"cause\":\"/foo\",\"index\":7}\n");
  CHECK(Body(s.Update("/1/nothere", "three", {})) ==
        "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/nothere\",\"index\":7}\n");
  CHECK(Body(s.Create("/1/newone", false, "v", false, {})) ==
        "{\"action\":\"create\",\"node\":{\"key\":\"/newone\",\"value\":\"v\",\"modifiedIndex\":8,"
        "\"createdIndex\":8}}\n");
  CHECK(Body(s.Set("/1/cas", false, "one", {})) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/cas\",\"value\":\"one\",\"modifiedIndex\":9,"
        "\"createdIndex\":9}}\n");
  CHECK(Body(s.CompareAndSwap("/1/cas", "two", 0, "three", {})) ==
        "{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[two != one]\",\"index\":9}\n");
  CHECK(Body(s.CompareAndSwap("/1/cas", "", 1, "three", {})) ==
        "{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[1 != 9]\",\"index\":9}\n");
  CHECK(Body(s.CompareAndSwap("/1/cas", "two", 1, "three", {})) ==
        "{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[two != one] [1 != 9]\","
        "\"index\":9}\n");
  CHECK(Body(s.CompareAndSwap("/1/cas", "one", 0, "two", {})) ==
        "{\"action\":\"compareAndSwap\",\"node\":{\"key\":\"/cas\",\"value\":\"two\","
        "\"modifiedIndex\":10,\"createdIndex\":9},\"prevNode\":{\"key\":\"/cas\",\"value\":\"one\","
        "\"modifiedIndex\":9,\"createdIndex\":9}}\n");
  CHECK(Body(s.CompareAndSwap("/1/cas", "two", 0, "four", {})) ==
        "{\"action\":\"compareAndSwap\",\"node\":{\"key\":\"/cas\",\"value\":\"four\","
        "\"modifiedIndex\":11,\"createdIndex\":9},\"prevNode\":{\"key\":\"/cas\",\"value\":\"two\","
        "\"modifiedIndex\":10,\"createdIndex\":9}}\n");
  CHECK(Body(s.Set("/1/cas", false, "five", {})) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/cas\",\"value\":\"five\",\"modifiedIndex\":12,"
        "\"createdIndex\":12},\"prevNode\":{\"key\":\"/cas\",\"value\":\"four\","
        "\"modifiedIndex\":11,\"createdIndex\":9}}\n");
  CHECK(Body(s.CompareAndSwap("/1/missing", "x", 0, "v", {})) ==
        "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/missing\",\"index\":12}\n");
  auto quiet = s.Set("/1/cas", false, "six", {});
  CHECK(store::EventJson(quiet.value(), 0, "/1", /*no_value=*/true) == "{\"action\":\"set\"}\n");
  CHECK(Body(s.CompareAndDelete("/1/cas", "nope", 0)) ==
        "{\"errorCode\":101,\"message\":\"Compare failed\",\"cause\":\"[nope != six]\","
        "\"index\":13}\n");
  CHECK(Body(s.CompareAndDelete("/1/cas", "six", 0)) ==
        "{\"action\":\"compareAndDelete\",\"node\":{\"key\":\"/cas\",\"modifiedIndex\":14,"
        "\"createdIndex\":13},\"prevNode\":{\"key\":\"/cas\",\"value\":\"six\","
        "\"modifiedIndex\":13,\"createdIndex\":13}}\n");
  CHECK(Body(s.Delete("/1/cas", false, false)) ==
        "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/cas\",\"index\":14}\n");

  CHECK(Body(s.Set("/1/dir", true, "", {})) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/dir\",\"dir\":true,\"modifiedIndex\":15,"
        "\"createdIndex\":15}}\n");
  const std::string not_a_file =
      "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/dir\",\"index\":15}\n";
  CHECK(Body(s.Set("/1/dir", true, "", {})) == not_a_file);
  CHECK(Body(s.Set("/1/dir", false, "v", {})) == not_a_file);
  const int64_t dir_exp = ParseTime("2026-11-21T23:03:38.416027173Z");
  const int64_t dir_now = dir_exp - 30 * kSecond + 1000;
  CHECK(Body(s.Update("/1/dir", "", At(dir_exp)), dir_now) ==
        "{\"action\":\"update\",\"node\":{\"key\":\"/dir\",\"dir\":true,\"expiration\":"
        "\"2026-11-21T23:03:38.416027173Z\",\"ttl\":30,\"modifiedIndex\":16,\"createdIndex\":15},"
        "\"prevNode\":{\"key\":\"/dir\",\"dir\":true,\"modifiedIndex\":15,\"createdIndex\":15}}\n");
  CHECK(Body(s.Update("/1/dir", "", {}), dir_now) ==
        "{\"action\":\"update\",\"node\":{\"key\":\"/dir\",\"dir\":true,\"modifiedIndex\":17,"
        "\"createdIndex\":15},\"prevNode\":{\"key\":\"/dir\",\"dir\":true,\"expiration\":"
        "\"2026-11-21T23:03:38.416027173Z\",\"ttl\":30,\"modifiedIndex\":15,\"createdIndex\":15}}\n");
  CHECK(Body(s.CompareAndSwap("/1/dir", "x", 0, "v", {})) ==
        "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/dir\",\"index\":17}\n");
  CHECK(s.Set("/1/dir/a", false, "1", {}).value().etcd_index == 18);
  CHECK(Body(s.Set("/1/dir/sub/b", false, "2", {})) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/dir/sub/b\",\"value\":\"2\",\"modifiedIndex\":19,"
        "\"createdIndex\":19}}\n");
  CHECK(s.Set("/1/dir/_hidden", false, "h", {}).value().etcd_index == 20);
  CHECK(Body(s.Get("/1/dir", false, false)) ==
        "{\"action\":\"get\",\"node\":{\"key\":\"/dir\",\"dir\":true,\"nodes\":[{\"key\":\"/dir/a\","
        "\"value\":\"1\",\"modifiedIndex\":18,\"createdIndex\":18},{\"key\":\"/dir/sub\",\"dir\":true,"
        "\"modifiedIndex\":19,\"createdIndex\":19}],\"modifiedIndex\":15,\"createdIndex\":15}}\n");
  CHECK(Body(s.Get("/1/dir", true, true)) ==
        "{\"action\":\"get\",\"node\":{\"key\":\"/dir\",\"dir\":true,\"nodes\":[{\"key\":\"/dir/a\","
        "\"value\":\"1\",\"modifiedIndex\":18,\"createdIndex\":18},{\"key\":\"/dir/sub\",\"dir\":true,"
        "\"nodes\":[{\"key\":\"/dir/sub/b\",\"value\":\"2\",\"modifiedIndex\":19,\"createdIndex\":19}],"
        "\"modifiedIndex\":19,\"createdIndex\":19}],\"modifiedIndex\":15,\"createdIndex\":15}}\n");
  CHECK(Body(s.Get("/1/dir/_hidden", false, false)) ==
        "{\"action\":\"get\",\"node\":{\"key\":\"/dir/_hidden\",\"value\":\"h\",\"modifiedIndex\":20,"
        "\"createdIndex\":20}}\n");
  CHECK(Body(s.Delete("/1/dir", false, false)) ==
        "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/dir\",\"index\":20}\n");
  CHECK(Body(s.Delete("/1/dir", true, false)) ==
        "{\"errorCode\":108,\"message\":\"Directory not empty\",\"cause\":\"/dir\",\"index\":20}\n");
  CHECK(Body(s.CompareAndDelete("/1/dir", "x", 0)) ==
        "{\"errorCode\":102,\"message\":\"Not a file\",\"cause\":\"/dir\",\"index\":20}\n");
  CHECK(Body(s.Delete("/1/dir", false, true)) ==
        "{\"action\":\"delete\",\"node\":{\"key\":\"/dir\",\"dir\":true,\"modifiedIndex\":21,"
        "\"createdIndex\":15},\"prevNode\":{\"key\":\"/dir\",\"dir\":true,\"modifiedIndex\":15,"
        "\"createdIndex\":15}}\n");
  CHECK(s.Set("/1/emptydir", true, "", {}).value().etcd_index == 22);
  CHECK(Body(s.Delete("/1/emptydir", true, false)) ==
        "{\"action\":\"delete\",\"node\":{\"key\":\"/emptydir\",\"dir\":true,\"modifiedIndex\":23,"
        "\"createdIndex\":22},\"prevNode\":{\"key\":\"/emptydir\",\"dir\":true,"
        "\"modifiedIndex\":22,\"createdIndex\":22}}\n");
  const std::string root_ro =
      "{\"errorCode\":107,\"message\":\"Root is read only\",\"cause\":\"/\",\"index\":23}\n";
  CHECK(Body(s.Set("/1", false, "x", {})) == root_ro);
  CHECK(Body(s.Delete("/1", false, true)) == root_ro);

  CHECK(Body(s.Create("/1/queue", false, "Job1", true, {})) ==
        "{\"action\":\"create\",\"node\":{\"key\":\"/queue/00000000000000000024\",\"value\":\"Job1\","
        "\"modifiedIndex\":24,\"createdIndex\":24}}\n");
  const int64_t job_exp = ParseTime("2026-11-21T23:04:48.428075325Z");
  const int64_t job_now = job_exp - 100 * kSecond + 1000;
  CHECK(Body(s.Create("/1/queue", false, "Job2", true, At(job_exp)), job_now) ==
        "{\"action\":\"create\",\"node\":{\"key\":\"/queue/00000000000000000025\",\"value\":\"Job2\","
        "\"expiration\":\"2026-11-21T23:04:48.428075325Z\",\"ttl\":100,\"modifiedIndex\":25,"
        "\"createdIndex\":25}}\n");
  CHECK(Body(s.Create("/1/queue", true, "", true, {})) ==
        "{\"action\":\"create\",\"node\":{\"key\":\"/queue/00000000000000000026\",\"dir\":true,"
        "\"modifiedIndex\":26,\"createdIndex\":26}}\n");
  CHECK(Body(s.Get("/1/queue", true, true), job_now) ==
        "{\"action\":\"get\",\"node\":{\"key\":\"/queue\",\"dir\":true,\"nodes\":[{\"key\":"
        "\"/queue/00000000000000000024\",\"value\":\"Job1\",\"modifiedIndex\":24,\"createdIndex\":24},"
        "{\"key\":\"/queue/00000000000000000025\",\"value\":\"Job2\",\"expiration\":"
        "\"2026-11-21T23:04:48.428075325Z\",\"ttl\":100,\"modifiedIndex\":25,\"createdIndex\":25},"
        "{\"key\":\"/queue/00000000000000000026\",\"dir\":true,\"modifiedIndex\":26,"
        "\"createdIndex\":26}],\"modifiedIndex\":24,\"createdIndex\":24}}\n");
  CHECK(Body(s.Create("/1/message", false, "x", true, {})) ==
        "{\"errorCode\":104,\"message\":\"Not a directory\",\"cause\":\"/message\",\"index\":26}\n");

  auto w = s.Watch("/1/message", false, false, 1, nullptr);
  REQUIRE(w.ok());
  auto from_history = w.value()->Next();
  REQUIRE(from_history);
  CHECK(from_history->etcd_index == 26);
  CHECK(store::EventJson(*from_history, 0, "/1") ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/message\",\"value\":\"Hello world\","
        "\"modifiedIndex\":4,\"createdIndex\":4}}\n");

  const int64_t r_exp = ParseTime("2026-11-21T23:03:28.432069925Z");
  CHECK(s.Set("/1/r", false, "v", At(r_exp)).value().etcd_index == 27);
  const int64_t r_exp2 = ParseTime("2026-11-21T23:03:38.433526241Z");
  const int64_t r_now = r_exp2 - 30 * kSecond + 1000;
  CHECK(Body(s.Update("/1/r", "", At(r_exp2, true)), r_now) ==
        "{\"action\":\"update\",\"node\":{\"key\":\"/r\",\"value\":\"v\",\"expiration\":"
        "\"2026-11-21T23:03:38.433526241Z\",\"ttl\":30,\"modifiedIndex\":28,\"createdIndex\":27},"
        "\"prevNode\":{\"key\":\"/r\",\"value\":\"v\",\"expiration\":\"2026-11-21T23:03:28.432069925Z\","
        "\"ttl\":20,\"modifiedIndex\":27,\"createdIndex\":27}}\n");
  const int64_t r_exp3 = ParseTime("2026-11-21T23:03:38.434169944Z");
  const int64_t r_now3 = r_exp3 - 30 * kSecond + 1000;
  CHECK(Body(s.Set("/1/r", false, "", At(r_exp3, true)), r_now3) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/r\",\"value\":\"v\",\"expiration\":"
        "\"2026-11-21T23:03:38.434169944Z\",\"ttl\":30,\"modifiedIndex\":29,\"createdIndex\":29},"
        "\"prevNode\":{\"key\":\"/r\",\"value\":\"v\",\"expiration\":\"2026-11-21T23:03:38.433526241Z\","
        "\"ttl\":30,\"modifiedIndex\":28,\"createdIndex\":27}}\n");
  CHECK(Body(s.Set("/1/nor", false, "", At(r_exp3, true))) ==
        "{\"errorCode\":100,\"message\":\"Key not found\",\"cause\":\"/nor\",\"index\":29}\n");
  CHECK(Body(s.Set("/1/nov", false, "", {})) ==
        "{\"action\":\"set\",\"node\":{\"key\":\"/nov\",\"value\":\"\",\"modifiedIndex\":30,"
        "\"createdIndex\":30}}\n");
}

TEST_CASE("the user root answers like etcd's: read only, and CAD has no cause") {
  store::Store s;
  // Observed: DELETE /v2/keys/?prevValue=x -> {"errorCode":102,"message":"Not a file","index":N}
  CHECK(Body(s.CompareAndDelete("/1", "x", 0)) ==
        "{\"errorCode\":102,\"message\":\"Not a file\",\"index\":0}\n");
  for (const char* p : {"/", "/0", "/1"}) {
    CHECK(s.CompareAndSwap(p, "", 3, "x", {}).error().code == store::kEcodeRootROnly);
    CHECK(s.Update(p, "x", {}).error().cause == "/");
    CHECK(s.Create(p, false, "x", false, {}).error().code == store::kEcodeRootROnly);
    CHECK(s.Set(p, false, "", At(store_test::kSecond * 2000000000LL, true)).error().code ==
          store::kEcodeRootROnly);
    CHECK(s.Delete(p, true, false).error().code == store::kEcodeRootROnly);
  }
  CHECK(Body(s.Create("/1", false, "rootq", true, {})) ==
        "{\"action\":\"create\",\"node\":{\"key\":\"/00000000000000000001\",\"value\":\"rootq\","
        "\"modifiedIndex\":1,\"createdIndex\":1}}\n");
}

}  // TEST_SUITE

}  // namespace
