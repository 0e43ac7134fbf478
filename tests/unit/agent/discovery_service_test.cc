#include "discovery-agent/discovery_service.h"

#include <doctest/doctest.h>

#include <set>

namespace agent {
namespace {

TEST_SUITE("agent") {
  TEST_CASE("cluster size: default 3, Go's Atoi errors, at least 1") {
    CHECK(*ParseClusterSize(nullptr) == 3);
    std::string five = "5";
    CHECK(*ParseClusterSize(&five) == 5);
    std::string abc = "abc";
    CHECK(ParseClusterSize(&abc).status().message() == "strconv.Atoi: parsing \"abc\": invalid syntax");
    std::string empty;
    CHECK(ParseClusterSize(&empty).status().message() == "strconv.Atoi: parsing \"\": invalid syntax");
    std::string zero = "0";
    CHECK(ParseClusterSize(&zero).status().message() == "invalid size 0: a cluster has at least 1 member");
    std::string huge = "99999999999";
    CHECK(ParseClusterSize(&huge).status().message() ==
          "strconv.Atoi: parsing \"99999999999\": value out of range");
  }

  TEST_CASE("tokens are 32 lower-case hex digits and do not repeat") {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
      auto t = NewToken();
      REQUIRE(t.ok());
      CHECK(t->size() == 32);
      CHECK(t->find_first_not_of("0123456789abcdef") == std::string::npos);
      seen.insert(*t);
    }
    CHECK(seen.size() == 100);
  }

  TEST_CASE("service flags") {
    auto cfg = ParseServiceArgs({"--listen-addr", "127.0.0.1:8087", "--endpoints", "http://a:1/,http://b:2",
                                 "--public-url=https://disc.example.com/", "--prefix", "reg/"});
    REQUIRE(cfg.ok());
    CHECK(cfg->listen_host == "127.0.0.1");
    CHECK(cfg->listen_port == 8087);
    CHECK(cfg->endpoints == std::vector<std::string>{"http://a:1", "http://b:2"});
    CHECK(cfg->public_url == "https://disc.example.com");
    CHECK(cfg->prefix == "/reg");
    CHECK(ParseServiceArgs({"--listen-addr", ":1", "--endpoints", "http://a:1"})->listen_host == "0.0.0.0");
    CHECK_FALSE(ParseServiceArgs({"--endpoints", "http://a:1"}).ok());
    CHECK_FALSE(ParseServiceArgs({"--listen-addr", ":1"}).ok());
    CHECK_FALSE(ParseServiceArgs({"--listen-addr", ":99999", "--endpoints", "http://a:1"}).ok());
    CHECK_FALSE(ParseServiceArgs({"--listen-addr", ":1", "--endpoints", "ftp://a"}).ok());
    CHECK(ParseServiceArgs({"--listen-addr", ":1", "--endpoints", "http://a:1", "--bogus", "x"}).status().message() ==
          "flag provided but not defined: -bogus");
    CHECK(ParseServiceArgs({"--name", "x"}).status().message() == "flag provided but not defined: -name");
    CHECK(ParseServiceArgs({"--endpoints", "http://a:1", "--listen-addr"}).status().message() ==
          "flag needs an argument: -listen-addr");
    CHECK(ParseServiceArgs({"--listen-addr", ":1", "--endpoints", "http://a:1", "x"}).status().message() ==
          "unexpected argument x");
  }
}

}  // namespace
}  // namespace agent
