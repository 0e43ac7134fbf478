// Member/cluster ID vectors verified against real etcd 3.4.23
// (/work/shared/spec/members-and-stats.md §1).
#include "common/member_id.h"

#include <doctest/doctest.h>

namespace {

uint64_t Id(const std::string& urls, const std::string& token,
            std::optional<int64_t> now = std::nullopt) {
  auto parsed = common::ParseUrls(urls);
  REQUIRE(parsed.ok());
  return common::MemberId(*parsed, token, now);
}

}  // namespace

TEST_SUITE("common") {
  TEST_CASE("member id of the default single-member cluster") {
    uint64_t m = Id("http://localhost:2380", "etcd-cluster");
    CHECK(common::FormatId(m) == "8e9e05c52164694d");
    CHECK(common::FormatId(common::ClusterId({m})) == "cdf818194e3a8c32");
  }

  TEST_CASE("member id with a custom token") {
    uint64_t m = Id("http://127.0.0.1:47380", "tok1");
    CHECK(common::FormatId(m) == "4f6e8cdffebd6727");
    CHECK(common::FormatId(common::ClusterId({m})) == "ad420312c65d215c");
  }

  TEST_CASE("three-member cluster: ids and order-independent cluster id") {
    uint64_t a = Id("http://127.0.0.1:12380", "etcd-cluster-1");
    uint64_t b = Id("http://127.0.0.1:22380", "etcd-cluster-1");
    uint64_t c = Id("http://127.0.0.1:32380", "etcd-cluster-1");
    CHECK(common::FormatId(a) == "8211f1d0f64f3269");
    CHECK(common::FormatId(b) == "91bc3c398fb3c146");
    CHECK(common::FormatId(c) == "fd422379fda50e48");
    CHECK(common::FormatId(common::ClusterId({a, b, c})) == "ef37ad9dc622a7c4");
    CHECK(common::ClusterId({c, a, b}) == common::ClusterId({a, b, c}));
  }

  TEST_CASE("discovery token: the whole discovery URL, id printed without leading zero") {
    uint64_t m = Id("http://127.0.0.1:31580", "http://127.0.0.1:41479/v2/keys/_etcd/registry/tokA");
    CHECK(common::FormatId(m) == "9c51646e73d6a8c");
  }

  TEST_CASE("runtime add: empty token plus the clock") {
    CHECK(common::FormatId(Id("http://127.0.0.1:44480", "", 1795302231)) == "4e58bdee664bcaee");
    CHECK(Id("http://127.0.0.1:44480", "", 1795302232) != Id("http://127.0.0.1:44480", "", 1795302231));
  }

  TEST_CASE("peer URL order does not change the member id") {
    CHECK(Id("http://b:2,http://a:1", "t") == Id("http://a:1,http://b:2", "t"));
    CHECK(Id("http://a:1", "t") != Id("http://a:1,http://b:2", "t"));
  }

  TEST_CASE("FormatId and ParseId") {
    CHECK(common::FormatId(0) == "0");
    CHECK(common::FormatId(0xffffffffffffffffULL) == "ffffffffffffffff");
    CHECK(*common::ParseId("9c51646e73d6a8c") == 0x9c51646e73d6a8cULL);
    CHECK(*common::ParseId("09C51646E73D6A8C") == 0x9c51646e73d6a8cULL);
    CHECK(*common::ParseId("0000000000000000001") == 1);
    CHECK_FALSE(common::ParseId("").ok());
    CHECK_FALSE(common::ParseId("xyz").ok());
    CHECK_FALSE(common::ParseId("0x10").ok());
    CHECK_FALSE(common::ParseId("10000000000000000").ok());
  }

  TEST_CASE("FormatId prints %x: lower-case hex without leading zeros") {
    CHECK(common::FormatId(0) == "0");
    CHECK(common::FormatId(1) == "1");
    CHECK(common::FormatId(0xabc) == "abc");
    CHECK(common::FormatId(0x10) == "10");
    CHECK(common::FormatId(UINT64_MAX) == "ffffffffffffffff");
    CHECK(common::FormatId(0x8000000000000000ULL) == "8000000000000000");
  }
}
