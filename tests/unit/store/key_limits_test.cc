// Key depth and length limits: the store refuses a write over them (as it
// would a log entry no API layer checked) without changing anything, and the
// deepest and longest keys it accepts survive Save/Recover.
#include "server/store/key_limits.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/unit/store/store_test_util.h"

namespace {

using store_test::Body;

// "/1" + `depth` segments of "s".
std::string DeepPath(size_t depth, const std::string& segment = "a") {
  std::string p = "/1";
  for (size_t i = 0; i < depth; ++i) p += "/" + segment;
  return p;
}

// "/1/" + a name making the user key `bytes` long.
std::string LongPath(size_t bytes) { return "/1/" + std::string(bytes - 1, 'x'); }

TEST_SUITE("store") {

TEST_CASE("CheckKeyLimits counts the user key, without the namespace") {
  CHECK_FALSE(store::CheckKeyLimits("/", false, 0));
  CHECK_FALSE(store::CheckKeyLimits("/1", false, 0));
  CHECK_FALSE(store::CheckKeyLimits(DeepPath(store::kMaxKeyDepth), false, 0));
  CHECK_FALSE(store::CheckKeyLimits(LongPath(store::kMaxKeyBytes), false, 0));
  auto deep = store::CheckKeyLimits(DeepPath(store::kMaxKeyDepth + 1), false, 7);
  REQUIRE(deep);
  CHECK(deep->code == store::kEcodeInvalidField);
  CHECK(deep->HttpStatus() == 400);
  CHECK(deep->index == 7);
  CHECK(deep->cause == "key too deep: 2049 segments (at most 2048)");
  auto deep_long = store::CheckKeyLimits(DeepPath(3000), false, 0);
  REQUIRE(deep_long);
  CHECK(deep_long->cause == "key too deep: 3000 segments (at most 2048)");
  auto long_key = store::CheckKeyLimits(LongPath(store::kMaxKeyBytes + 1), false, 0);
  REQUIRE(long_key);
  CHECK(long_key->cause == "key too long: 4097 bytes (at most 4096)");
  // A POST creates "/" and 20 digits below the dir it names. (A segment takes
  // at least 2 bytes, so a key within the byte limit is within the depth.)
  CHECK_FALSE(store::CheckKeyLimits(DeepPath(2037), true, 0));
  CHECK(store::CheckKeyLimits(DeepPath(2038), true, 0)->cause ==
        "key too long: 4097 bytes (at most 4096)");
  CHECK(store::CheckKeyLimits(DeepPath(store::kMaxKeyDepth), true, 0)->cause ==
        "key too deep: 2049 segments (at most 2048)");
  CHECK_FALSE(store::CheckKeyLimits(LongPath(store::kMaxKeyBytes - 21), true, 0));
  auto post = store::CheckKeyLimits(LongPath(store::kMaxKeyBytes - 20), true, 0);
  REQUIRE(post);
  CHECK(post->cause == "key too long: 4097 bytes (at most 4096)");
}

TEST_CASE("writes over the limits are refused at apply and change nothing") {
  store::Store s;
  s.Set("/1/before", false, "v", {});
  const std::string saved = s.Save();
  const uint64_t index = s.Index();
  const std::string too_deep = DeepPath(store::kMaxKeyDepth + 1);
  const std::string too_long = LongPath(store::kMaxKeyBytes + 1);
  for (const std::string& p : {too_deep, too_long}) {
    for (bool dir : {false, true}) {
      auto set = s.Set(p, dir, "v", {});
      REQUIRE_FALSE(set.ok());
      CHECK(set.error().code == store::kEcodeInvalidField);
      CHECK(set.error().index == index);
      auto create = s.Create(p, dir, "v", false, {});
      REQUIRE_FALSE(create.ok());
      CHECK(create.error().code == store::kEcodeInvalidField);
    }
    // Nothing to update below a missing dir.
    CHECK(s.Update(p, "v", {}).error().code == store::kEcodeKeyNotFound);
  }
  // An in-order key under the deepest dir would be one segment too deep.
  REQUIRE(s.Set(DeepPath(store::kMaxKeyDepth), true, "", {}).ok());
  const std::string with_dir = s.Save();
  auto unique = s.Create(DeepPath(store::kMaxKeyDepth), false, "job", true, {});
  REQUIRE_FALSE(unique.ok());
  CHECK(unique.error().code == store::kEcodeInvalidField);
  CHECK(unique.error().cause == "key too deep: 2049 segments (at most 2048)");
  CHECK(s.Save() == with_dir);
  CHECK(s.Index() == index + 1);
  CHECK(saved != with_dir);
}

TEST_CASE("the deepest and longest keys round-trip through Save/Recover") {
  store::Store a;
  store_test::InternalWrites(&a);
  const std::string deepest = DeepPath(store::kMaxKeyDepth);
  const std::string longest = LongPath(store::kMaxKeyBytes);
  // Deepest with the longest segments that still fit the byte limit.
  const std::string widest = DeepPath(store::kMaxKeyBytes / 4, "bcd");
  REQUIRE(a.Set(deepest, false, "deep", {}).ok());
  REQUIRE(a.Set(longest, false, "long", {}).ok());
  REQUIRE(a.Set(widest, false, "wide", {}).ok());
  REQUIRE(a.Create(DeepPath(2037, "q"), false, "job", true, {}).ok());
  const std::string saved = a.Save();
  store::Store b;
  REQUIRE(b.Recover(saved).ok());
  CHECK(b.Save() == saved);
  CHECK(b.Get(deepest, false, false).value().node.value == std::string("deep"));
  CHECK(b.Get(longest, false, false).value().node.value == std::string("long"));
  CHECK(b.Get(widest, false, false).value().node.value == std::string("wide"));
  CHECK(Body(b.Get("/1", true, true)) == Body(a.Get("/1", true, true)));
  // And the whole deep chain goes away in one recursive delete.
  REQUIRE(b.Delete("/1/a", true, true).ok());
  CHECK(b.Get(deepest, false, false).error().code == store::kEcodeKeyNotFound);
}

}  // TEST_SUITE

}  // namespace
