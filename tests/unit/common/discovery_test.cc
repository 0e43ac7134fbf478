#include "common/discovery.h"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/unit/common/fake_v2_keys.h"

namespace {

using common::DiscoveryGetCluster;
using common::DiscoveryJoin;
using common::DiscoveryOptions;
using common::testing::FakeV2Keys;

constexpr uint64_t kSelf = 0xf9600e0c221711b3;
constexpr char kSelfReg[] = "m1=http://127.0.0.1:2380";
constexpr char kToken[] = "/v2/keys/_etcd/registry/tokB";

DiscoveryOptions Fast() {
  DiscoveryOptions o;
  o.backoff_unit = std::chrono::milliseconds(1);
  return o;
}

std::string Token(const FakeV2Keys& fake) { return fake.url() + kToken; }

std::string Key(const std::string& id) { return std::string(kToken) + "/" + id; }

}  // namespace

TEST_SUITE("common") {
  TEST_CASE("discovery: a lone member registers and gets itself, with etcd's exact requests") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "1");
    auto r = DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(*r == kSelfReg);
    std::vector<std::string> want = {
        "GET /v2/keys/_etcd/registry/tokB/_config/size?quorum=false&recursive=false&sorted=false",
        "GET /v2/keys/_etcd/registry/tokB?quorum=false&recursive=false&sorted=false",
        "PUT /v2/keys/_etcd/registry/tokB/f9600e0c221711b3?prevExist=false value=m1%3Dhttp%3A%2F%2F127.0.0.1%3A2380",
        "GET /v2/keys/_etcd/registry/tokB/f9600e0c221711b3?recursive=false&wait=true&waitIndex=2",
        "GET /v2/keys/_etcd/registry/tokB/_config/size?quorum=false&recursive=false&sorted=false",
        "GET /v2/keys/_etcd/registry/tokB?quorum=false&recursive=false&sorted=false",
    };
    CHECK(fake.requests() == want);
  }

  TEST_CASE("discovery: members come in creation order, not key order") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "3");
    fake.Set(Key("ffff"), "z=http://127.0.0.1:3");
    fake.Set(Key("0001"), "a=http://127.0.0.1:1");
    auto r = DiscoveryJoin(Token(fake) + "/", kSelf, kSelfReg, Fast());  // a trailing slash is the same token
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(*r == "z=http://127.0.0.1:3,a=http://127.0.0.1:1,m1=http://127.0.0.1:2380");
  }

  TEST_CASE("discovery: waits on a watch for the others, from the listing's index") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "2");
    auto joined = std::async(std::launch::async, [&] { return DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast()); });
    REQUIRE(fake.WaitRequests(7));
    // Index 2 is our registration, so the listing said 2 and the watch waits for 3.
    CHECK(fake.requests()[6] == "GET /v2/keys/_etcd/registry/tokB?recursive=true&wait=true&waitIndex=3");
    CHECK(joined.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
    fake.Set(Key("abc"), "m2=http://127.0.0.1:2480");
    auto r = joined.get();
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(*r == "m1=http://127.0.0.1:2380,m2=http://127.0.0.1:2480");
    CHECK(fake.requests().size() == 7);  // one watch, no polling
  }

  TEST_CASE("discovery: a full token is refused before registering") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "2");
    fake.Set(Key("a1"), "a=http://127.0.0.1:1");
    fake.Set(Key("a2"), "b=http://127.0.0.1:2");
    auto r = DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "discovery: cluster is full");
    CHECK(common::IsDiscoveryClusterFull(r.status()));
    CHECK(fake.requests().size() == 2);  // size and listing only: no PUT
  }

  TEST_CASE("discovery: a member among the first size ones is not full, later ones are ignored") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "2");
    fake.Set(Key("a1"), "a=http://127.0.0.1:1");
    fake.Set(Key("f9600e0c221711b3"), kSelfReg);  // registered before a crash
    fake.Set(Key("a3"), "c=http://127.0.0.1:3");
    auto r = DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast());
    REQUIRE_FALSE(r.ok());
    // Not full (we are second of two), but our key exists: etcd's duplicate id.
    CHECK(r.status().message() == "discovery: found duplicate id");
    auto proxy = DiscoveryGetCluster(Token(fake), Fast());
    REQUIRE(proxy.ok());
    CHECK(*proxy == "a=http://127.0.0.1:1,m1=http://127.0.0.1:2380");
  }

  TEST_CASE("discovery: a name registered twice is etcd's duplicate name") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "2");
    fake.Set(Key("a1"), "m1=http://127.0.0.1:9999");
    auto r = DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "discovery: found duplicate name");
  }

  TEST_CASE("discovery: a registration that is not name=URL is an invalid URL") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "2");
    fake.Set(Key("a1"), "x=not a url");
    auto r = DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "discovery: invalid URL");
  }

  TEST_CASE("discovery: size errors and a server that is not etcd") {
    FakeV2Keys fake;
    auto missing = DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast());
    CHECK(missing.status().message() == "discovery: size key not found");
    fake.Set(Key("_config/size"), "three");
    CHECK(DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast()).status().message() == "discovery: size key is bad");
    fake.Set(Key("_config/size"), "-1");
    CHECK(DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast()).status().message() == "discovery: size key is bad");
    fake.AnswerWith("<html>hello</html>");
    CHECK(DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast()).status().message() ==
          "discovery: bad discovery endpoint");
    CHECK(fake.requests().size() == 4);  // none of these registered
  }

  TEST_CASE("discovery: malformed discovery URLs fail at once") {
    auto no_scheme = DiscoveryJoin("example.com/tok", kSelf, kSelfReg, Fast());
    CHECK(no_scheme.status().message().find("discovery: bad discovery URL \"example.com/tok\"") == 0);
    auto ftp = DiscoveryJoin("ftp://example.com/tok", kSelf, kSelfReg, Fast());
    CHECK(ftp.status().message().find("bad discovery URL") != std::string::npos);
    auto no_token = DiscoveryJoin("http://127.0.0.1:1/", kSelf, kSelfReg, Fast());
    CHECK(no_token.status().message() == "discovery: bad discovery URL \"http://127.0.0.1:1/\": it has no token path");
  }

  TEST_CASE("discovery: server errors and refused connections are retried with backoff") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "1");
    fake.FailNext(3);
    auto r = DiscoveryJoin(Token(fake), kSelf, kSelfReg, Fast());
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(fake.requests().size() == 9);  // three 503s on the size key, then the six requests

    // Nothing listens yet: the member keeps trying until the store is up.
    int port;
    { FakeV2Keys probe; port = probe.port(); }
    DiscoveryOptions o;
    o.backoff_unit = std::chrono::milliseconds(50);
    auto later = std::async(std::launch::async,
                            [&] { return DiscoveryJoin("http://127.0.0.1:" + std::to_string(port) + kToken, kSelf,
                                                       kSelfReg, o); });
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    FakeV2Keys store(port);
    store.Set(Key("_config/size"), "1");
    auto r2 = later.get();
    REQUIRE_MESSAGE(r2.ok(), r2.status().message());
    CHECK(*r2 == kSelfReg);
  }

  TEST_CASE("discovery: stop ends a wait promptly") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "3");
    std::atomic<bool> stop{false};
    DiscoveryOptions o = Fast();
    o.stop = [&] { return stop.load(); };
    auto joined = std::async(std::launch::async, [&] { return DiscoveryJoin(Token(fake), kSelf, kSelfReg, o); });
    REQUIRE(fake.WaitRequests(7));
    stop = true;
    REQUIRE(joined.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
    auto r = joined.get();
    CHECK(r.status().code() == common::Code::kTimeout);
  }

  TEST_CASE("discovery: a proxy reads the cluster without registering") {
    FakeV2Keys fake;
    fake.Set(Key("_config/size"), "2");
    fake.Set(Key("a1"), "a=http://127.0.0.1:1");
    auto got = std::async(std::launch::async, [&] { return DiscoveryGetCluster(Token(fake), Fast()); });
    REQUIRE(fake.WaitRequests(3));
    CHECK(fake.requests()[2] == "GET /v2/keys/_etcd/registry/tokB?recursive=true&wait=true&waitIndex=3");
    fake.Set(Key("a2"), "b=http://127.0.0.1:2");
    auto r = got.get();
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(*r == "a=http://127.0.0.1:1,b=http://127.0.0.1:2");
    for (const auto& req : fake.requests()) CHECK(req.rfind("PUT", 0) != 0);
  }

  TEST_CASE("discovery: --discovery-proxy carries the requests, http:// prepended") {
    FakeV2Keys proxy;  // answers absolute-form requests as if it were the store
    DiscoveryOptions o = Fast();
    o.proxy = "127.0.0.1:" + std::to_string(proxy.port());
    auto r = DiscoveryJoin("http://discovery.invalid:2379/tok", kSelf, kSelfReg, o);
    REQUIRE(proxy.WaitRequests(1));
    CHECK(proxy.requests()[0] ==
          "GET http://discovery.invalid:2379/tok/_config/size?quorum=false&recursive=false&sorted=false");
  }
}
