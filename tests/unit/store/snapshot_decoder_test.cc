// Store::Recover on damaged and hostile input: every truncation, random
// damage, lying lengths and counts, nesting past the key limits. Each is
// refused with Corruption (the store unchanged) or, when the damage still
// decodes, gives a store that works; nothing crashes, recurses without bound
// or allocates by a length field (run under ASan/UBSan by `make asan`).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "server/store/key_limits.h"
#include "tests/unit/store/store_test_util.h"

namespace {

using store_test::At;
using store_test::kSecond;

constexpr int64_t kT0 = 1800000000 * kSecond;

// Writes the format documented in server/store/snapshot.cc, independently.
struct Bytes {
  std::string out = "kvstore1";
  Bytes& Varint(uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
    return *this;
  }
  Bytes& Byte(uint8_t b) {
    out.push_back(static_cast<char>(b));
    return *this;
  }
  Bytes& Str(const std::string& s) {
    Varint(s.size());
    out += s;
    return *this;
  }
  // A NODE header; a dir goes on with its child count.
  Bytes& Node(const std::string& name, bool dir, uint64_t expire_zigzag = 0) {
    return Str(name).Byte(dir ? 1 : 0).Varint(1).Varint(1).Varint(expire_zigzag);
  }
};

// A snapshot whose tree is root -> "1" -> a chain of `depth` dirs named
// `segment` ending in a key; no history.
std::string Chain(size_t depth, const std::string& segment = "a") {
  Bytes b;
  b.Varint(5).Node("", true).Varint(1).Node("1", true).Varint(1);
  for (size_t i = 1; i < depth; ++i) b.Node(segment, true).Varint(1);
  b.Node(segment, false).Str("v");
  b.Varint(0);
  return b.out;
}

common::Code RecoverCode(store::Store* s, const std::string& data) {
  return s->Recover(data).code();
}

// A recovered store must answer and save again.
void Exercise(store::Store* s) {
  (void)s->Get("/", true, true);
  (void)s->Set("/1/after", false, "x", {});
  s->DeleteExpiredKeys(INT64_MAX);
  store::Store again;
  CHECK(again.Recover(s->Save()).ok());
}

std::string Sample() {
  store::Store a;
  store_test::InternalWrites(&a);
  a.SetEventClock([] { return kT0; });
  a.Set("/1/dir/k", false, "value", At(kT0 + kSecond));
  a.Set("/1/dir/_h", false, "hidden", {});
  a.Update("/1/dir/k", "v2", At(kT0 + 2 * kSecond));
  a.Create("/1/q", false, "job", true, {});
  a.Delete("/1/dir/_h", false, false);
  std::string deep = "/1";
  for (int i = 0; i < 40; ++i) deep += "/d";
  a.Set(deep, false, "deep", {});
  return a.Save();
}

TEST_SUITE("store") {

TEST_CASE("Recover: every truncation of a snapshot is refused") {
  const std::string saved = Sample();
  store::Store s;
  s.Set("/1/mine", false, "x", {});
  const std::string before = s.Save();
  for (size_t cut = 0; cut < saved.size(); ++cut) {
    CHECK_MESSAGE(RecoverCode(&s, saved.substr(0, cut)) == common::Code::kCorruption, cut);
  }
  CHECK(s.Save() == before);
  CHECK(s.Recover(saved).ok());
}

TEST_CASE("Recover: random damage is refused or gives a working store") {
  const std::string saved = Sample();
  uint64_t seed = 42;
  auto next = [&seed](uint64_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (seed >> 33) % n;
  };
  int refused = 0, accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string data = saved;
    for (uint64_t flips = 1 + next(4); flips > 0; --flips) {
      const size_t at = 8 + next(data.size() - 8);
      switch (next(3)) {
        case 0: data[at] = static_cast<char>(next(256)); break;
        case 1: data[at] = static_cast<char>(0xFF); break;  // a varint that goes on
        default: data.insert(at, 1, static_cast<char>(next(256))); break;
      }
    }
    store::Store s;
    if (s.Recover(data).ok()) {
      ++accepted;
      Exercise(&s);
    } else {
      ++refused;
    }
  }
  CHECK(refused > 2000);  // most damage is seen
  MESSAGE("accepted " << accepted << " of 3000 damaged snapshots");
}

TEST_CASE("Recover: lengths and counts larger than the input are refused at once") {
  const auto start = std::chrono::steady_clock::now();
  store::Store s;
  // A name claiming 2^62 bytes.
  Bytes name;
  name.Varint(1).Varint(uint64_t{1} << 62).out += "abc";
  CHECK(RecoverCode(&s, name.out) == common::Code::kCorruption);
  // A root claiming 2^60 children and holding none.
  Bytes children;
  children.Varint(1).Node("", true).Varint(uint64_t{1} << 60);
  CHECK(RecoverCode(&s, children.out) == common::Code::kCorruption);
  // A varint of 20 continuation bytes.
  CHECK(RecoverCode(&s, "kvstore1" + std::string(20, '\xff')) == common::Code::kCorruption);
  // A history claiming more than 1000 events, and an event node claiming
  // 2^60 listed children.
  Bytes history;
  history.Varint(1).Node("", true).Varint(0).Varint(1001);
  CHECK(RecoverCode(&s, history.out) == common::Code::kCorruption);
  Bytes listing;
  listing.Varint(1).Node("", true).Varint(0).Varint(1);
  listing.Str("set").Byte(0).Varint(1).Str("/1/k").Byte(0).Varint(0).Varint(1).Varint(1);
  listing.Varint(uint64_t{1} << 60);
  CHECK(RecoverCode(&s, listing.out) == common::Code::kCorruption);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("Recover: nesting past the key limits is refused without deep recursion") {
  store::Store s;
  // The deepest chain the store can hold loads; one more level does not.
  REQUIRE(s.Recover(Chain(store::kMaxKeyDepth)).ok());
  CHECK(s.Index() == 5);
  Exercise(&s);
  const common::Status over = s.Recover(Chain(store::kMaxKeyDepth + 1));
  CHECK(over.code() == common::Code::kCorruption);
  CHECK(over.message() ==
        "store snapshot: a key over the key limits (4096 bytes, 2048 segments)");
  // A million levels: refused at the limit, long before the stack ends.
  CHECK(RecoverCode(&s, Chain(1000000)) == common::Code::kCorruption);
  // Within the depth but over the length: 1366 segments of "abc".
  CHECK(s.Recover(Chain(store::kMaxKeyBytes / 4, "abc")).ok());
  CHECK(RecoverCode(&s, Chain(store::kMaxKeyBytes / 4 + 1, "abc")) ==
        common::Code::kCorruption);
  // An event node nested a million levels deep.
  Bytes nested;
  nested.Varint(1).Node("", true).Varint(0).Varint(1).Str("set").Byte(0).Varint(1);
  for (int i = 0; i < 1000000; ++i) nested.Str("/k").Byte(1).Varint(0).Varint(1).Varint(1).Varint(1);
  CHECK(RecoverCode(&s, nested.out) == common::Code::kCorruption);
}

TEST_CASE("Recover: trees no store can hold are refused") {
  store::Store s;
  auto tree = [](const std::string& name, bool dir, uint64_t expire = 0) {
    Bytes b;
    b.Varint(1).Node("", true).Varint(1).Node(name, dir, expire);
    if (dir) {
      b.Varint(0);
    } else {
      b.Str("v");
    }
    return b.Varint(0).out;
  };
  CHECK(s.Recover(tree("ok", false)).ok());
  for (const char* bad : {"", ".", "..", "a/b", "/"}) {
    CHECK_MESSAGE(RecoverCode(&s, tree(bad, false)) == common::Code::kCorruption, bad);
  }
  // Two children of one name.
  Bytes twice;
  twice.Varint(1).Node("", true).Varint(2).Node("k", false).Str("1").Node("k", false).Str("2");
  CHECK(RecoverCode(&s, twice.Varint(0).out) == common::Code::kCorruption);
  // The root must be a permanent dir: an expiring root would have to be
  // removed from a parent it does not have.
  Bytes expiring_root;
  expiring_root.Varint(1).Node("", true, /*zigzag of 1*/ 2).Varint(0).Varint(0);
  CHECK(RecoverCode(&s, expiring_root.out) == common::Code::kCorruption);
  Bytes key_root;
  key_root.Varint(1).Node("", false).Str("v").Varint(0);
  CHECK(RecoverCode(&s, key_root.out) == common::Code::kCorruption);
  // A node flag other than dir.
  Bytes flags;
  flags.Varint(1).Str("").Byte(3).Varint(1).Varint(1).Varint(0).Varint(0).Varint(0);
  CHECK(RecoverCode(&s, flags.out) == common::Code::kCorruption);
  // Still the store that loaded last, and working.
  CHECK(s.Get("/ok", false, false).value().node.value == std::string("v"));
  Exercise(&s);
}

}  // TEST_SUITE

}  // namespace
