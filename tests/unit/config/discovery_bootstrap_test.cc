// --discovery on the server: what a new and a restarted member do with the token.
#include "server/config/discovery_bootstrap.h"

#include <doctest/doctest.h>

#include "common/member_id.h"
#include "tests/unit/common/fake_v2_keys.h"

namespace {

config::Config Member(const std::string& token) {
  config::Config c;
  c.name = "m1";
  c.data_dir = "/tmp/m1";
  c.initial_advertise_peer_urls = common::ParseUrls("http://127.0.0.1:2380").value();
  c.discovery = token;
  return c;
}

config::UrlsMap Alone(const config::Config& c) { return {{c.name, c.initial_advertise_peer_urls}}; }

}  // namespace

TEST_SUITE("config") {
  TEST_CASE("discovery bootstrap: a new member registers under its etcd ID and takes the token's cluster") {
    common::testing::FakeV2Keys fake;
    const std::string token = fake.url() + "/tok";
    fake.Set("/tok/_config/size", "2");
    fake.Set("/tok/other", "m0=http://127.0.0.1:2480");
    config::Config c = Member(token);
    config::UrlsMap peers = Alone(c);
    REQUIRE(config::JoinDiscoveryCluster(c, nullptr, &peers).ok());
    CHECK(config::UrlsMapString(peers) == "m0=http://127.0.0.1:2480,m1=http://127.0.0.1:2380");
    const std::string id = common::FormatId(common::MemberId(c.initial_advertise_peer_urls, token));
    CHECK(fake.requests()[2] == "PUT /tok/" + id + "?prevExist=false value=m1%3Dhttp%3A%2F%2F127.0.0.1%3A2380");
  }

  TEST_CASE("discovery bootstrap: a full token gives etcd's error, and the proxy fallback by default") {
    common::testing::FakeV2Keys fake;
    fake.Set("/tok/_config/size", "1");
    fake.Set("/tok/other", "m0=http://127.0.0.1:2480");
    config::Config c = Member(fake.url() + "/tok");
    config::UrlsMap peers = Alone(c);
    common::Status s = config::JoinDiscoveryCluster(c, nullptr, &peers);
    CHECK(s.message() == "failed to join discovery cluster (discovery: cluster is full)");
    CHECK(config::FallsBackToProxy(c, s));
    c.discovery_fallback = "exit";
    CHECK_FALSE(config::FallsBackToProxy(c, s));
    CHECK(config::UrlsMapString(peers) == "m1=http://127.0.0.1:2380");
  }

  TEST_CASE("discovery bootstrap: errors say what to do") {
    common::testing::FakeV2Keys fake;
    config::Config c = Member(fake.url() + "/tok");
    config::UrlsMap peers = Alone(c);
    common::Status s = config::JoinDiscoveryCluster(c, nullptr, &peers);
    CHECK(s.message() == "failed to join discovery cluster (discovery: size key not found): set the cluster size "
                         "first: curl -X PUT " + fake.url() + "/tok/_config/size -d value=3");
    CHECK_FALSE(config::FallsBackToProxy(c, s));
    fake.Set("/tok/_config/size", "2");
    fake.Set("/tok/a", "m9=http://127.0.0.1:2380");  // our URL under another name
    s = config::JoinDiscoveryCluster(c, nullptr, &peers);
    CHECK(s.message() == "discovery cluster m1=http://127.0.0.1:2380,m9=http://127.0.0.1:2380 has duplicate url");
  }
}
