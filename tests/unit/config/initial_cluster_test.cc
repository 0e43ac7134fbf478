// Initial cluster parsing and bootstrap checks; texts from etcd 3.4.23.
#include "server/config/initial_cluster.h"

#include <doctest/doctest.h>

namespace {

config::Config Member(const std::string& name, const std::string& peer_urls, const std::string& cluster) {
  config::Config c;
  c.name = name;
  c.initial_advertise_peer_urls = common::ParseUrls(peer_urls).value();
  c.initial_cluster = cluster;
  return c;
}

// PeerUrlsMapAndToken then VerifyBootstrap; "" when both pass.
std::string BootstrapError(const config::Config& c) {
  auto peers = config::PeerUrlsMapAndToken(c);
  if (!peers.ok()) return peers.status().message();
  common::Status s = config::VerifyBootstrap(c, peers->peers);
  return s.ok() ? "" : s.message();
}

}  // namespace

TEST_SUITE("config") {
  TEST_CASE("initial cluster: names, repeated names, sorted URLs") {
    auto m = config::ParseUrlsMap("a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,a=http://10.0.0.0:2380");
    REQUIRE(m.ok());
    REQUIRE(m->size() == 2);
    CHECK(common::JoinUrls(m->at("a")) == "http://10.0.0.0:2380,http://10.0.0.1:2380");
    CHECK(common::JoinUrls(m->at("b")) == "http://10.0.0.2:2380");
    CHECK(config::UrlsMapString(*m) ==
          "a=http://10.0.0.0:2380,a=http://10.0.0.1:2380,b=http://10.0.0.2:2380");
    CHECK(config::ParseUrlsMap("a=http://h:1,,")->size() == 1);  // empty items skipped
    CHECK(config::ParseUrlsMap("")->empty());
    CHECK(config::ParseUrlsMap("=http://h:1")->count("") == 1);
  }

  TEST_CASE("initial cluster: malformed entries give etcd's errors") {
    CHECK(config::ParseUrlsMap("default").status().message() ==
          "URL scheme must be http, https, unix, or unixs: ");
    CHECK(config::ParseUrlsMap("a=ftp://x:1").status().message() ==
          "URL scheme must be http, https, unix, or unixs: ftp://x:1");
    CHECK(config::ParseUrlsMap("a=http://h:1/p").status().message() == "URL must not contain a path: http://h:1/p");
    CHECK(config::ParseUrlsMap("a=http://h").status().message() ==
          "URL address does not have the form \"host:port\": http://h");
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23480", "default=http://127.0.0.1:23480,a=ftp://x:1")) ==
          "error setting up initial cluster: URL scheme must be http, https, unix, or unixs: ftp://x:1");
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23480", "default=http://127.0.0.1:23480%zz")) ==
          "error setting up initial cluster: parse \"http://127.0.0.1:23480%zz\": invalid port "
          "\":23480%zz\" after host");
  }

  TEST_CASE("static bootstrap: a consistent member passes and yields the token") {
    config::Config c = Member("infra1", "http://127.0.0.1:12380",
                              "infra1=http://127.0.0.1:12380,infra2=http://127.0.0.1:22380");
    c.initial_cluster_token = "etcd-cluster-1";
    auto peers = config::PeerUrlsMapAndToken(c);
    REQUIRE(peers.ok());
    CHECK(peers->token == "etcd-cluster-1");
    CHECK(peers->peers.size() == 2);
    CHECK(BootstrapError(c) == "");
  }

  TEST_CASE("static bootstrap: own name missing") {
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23480", "foo=http://127.0.0.1:23480")) ==
          "couldn't find local name \"default\" in the initial cluster configuration");
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23480", "")) ==
          "couldn't find local name \"default\" in the initial cluster configuration");
  }

  TEST_CASE("static bootstrap: advertised peer URLs must match the map") {
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23480", "default=http://localhost:2380")) ==
          "--initial-cluster has default=http://localhost:2380 but missing from "
          "--initial-advertise-peer-urls=http://127.0.0.1:23480 (resolved urls: "
          "\"http://127.0.0.1:23480\" != \"http://localhost:2380\")");
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23481",
                                "default=http://127.0.0.1:23480,default=http://127.0.0.1:23482")) ==
          "--initial-cluster has default=http://127.0.0.1:23480,default=http://127.0.0.1:23482 but "
          "missing from --initial-advertise-peer-urls=http://127.0.0.1:23481 "
          "(len([\"http://127.0.0.1:23481\"]) != len([\"http://127.0.0.1:23480\" \"http://127.0.0.1:23482\"]))");
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23480,http://127.0.0.1:23481",
                                "default=http://127.0.0.1:23480")) ==
          "--initial-advertise-peer-urls has http://127.0.0.1:23481 but missing from "
          "--initial-cluster=default=http://127.0.0.1:23480,default=http://127.0.0.1:23481");
  }

  TEST_CASE("static bootstrap: duplicate URLs") {
    CHECK(BootstrapError(Member("default", "http://127.0.0.1:23480",
                                "default=http://127.0.0.1:23480,a=http://127.0.0.1:23480")) ==
          "initial cluster a=http://127.0.0.1:23480,default=http://127.0.0.1:23480 has duplicate url");
  }

  TEST_CASE("discovery bootstrap: own URLs, discovery URL as token") {
    config::Config c = Member("n1", "http://127.0.0.1:31580", "");
    c.discovery = "http://127.0.0.1:41479/v2/keys/_etcd/registry/tokA";
    auto peers = config::PeerUrlsMapAndToken(c);
    REQUIRE(peers.ok());
    CHECK(peers->token == c.discovery);
    CHECK(config::UrlsMapString(peers->peers) == "n1=http://127.0.0.1:31580");
    CHECK(config::VerifyBootstrap(c, peers->peers).ok());
  }

  TEST_CASE("joining an existing cluster") {
    config::Config c = Member("n3", "http://127.0.0.1:3", "n1=http://127.0.0.1:1,n3=http://127.0.0.1:3");
    c.initial_cluster_state = "existing";
    auto peers = config::PeerUrlsMapAndToken(c);
    REQUIRE(peers.ok());
    CHECK(config::VerifyJoinExisting(c, peers->peers).ok());
    CHECK(config::VerifyJoinExisting(c, config::ParseUrlsMap("n1=http://127.0.0.1:1").value()).message() ==
          "couldn't find local name \"n3\" in the initial cluster configuration");
    c.discovery = "http://127.0.0.1:1/x";
    CHECK(config::VerifyJoinExisting(c, config::PeerUrlsMapAndToken(c)->peers).message() ==
          "discovery URL should not be set when joining existing initial cluster");
  }
}
