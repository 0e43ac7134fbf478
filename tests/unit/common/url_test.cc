// URL validation: texts checked against etcd 3.4.23 (`etcd --listen-client-urls ...`).
#include "common/url.h"

#include <doctest/doctest.h>

namespace {

std::string Err(const std::string& in) {
  auto r = common::ParseUrl(in);
  REQUIRE_FALSE(r.ok());
  return r.status().message();
}

}  // namespace

TEST_SUITE("common") {
  TEST_CASE("valid URLs keep their form") {
    auto u = common::ParseUrl("http://127.0.0.1:2379");
    REQUIRE(u.ok());
    CHECK(u->scheme == "http");
    CHECK(u->host == "127.0.0.1");
    CHECK(u->port == "2379");
    CHECK(u->String() == "http://127.0.0.1:2379");

    auto v6 = common::ParseUrl("https://[::1]:2380");
    REQUIRE(v6.ok());
    CHECK(v6->host == "::1");
    CHECK(v6->port == "2380");
    CHECK(v6->String() == "https://[::1]:2380");

    CHECK(common::ParseUrl(" unix://localhost:1 ")->String() == "unix://localhost:1");
    CHECK(common::ParseUrl("HTTP://h:1")->String() == "http://h:1");
    CHECK(common::ParseUrl("unixs://a:1")->scheme == "unixs");
    CHECK(common::ParseUrl("http://h:")->port == "");
    CHECK(common::ParseUrl("http://u:p@h:1?x=1")->String() == "http://u:p@h:1?x=1");
  }

  TEST_CASE("etcd's error texts") {
    CHECK(Err("ftp://127.0.0.1:1") == "URL scheme must be http, https, unix, or unixs: ftp://127.0.0.1:1");
    CHECK(Err("") == "URL scheme must be http, https, unix, or unixs: ");
    CHECK(Err("localhost:2379") == "URL scheme must be http, https, unix, or unixs: localhost:2379");
    CHECK(Err("http://127.0.0.1") == "URL address does not have the form \"host:port\": http://127.0.0.1");
    CHECK(Err("http://::1:2379") == "URL address does not have the form \"host:port\": http://::1:2379");
    CHECK(Err("unix:///tmp/sock") == "URL address does not have the form \"host:port\": unix:///tmp/sock");
    CHECK(Err("http:h:1") == "URL address does not have the form \"host:port\": http:h:1");
    CHECK(Err("http://127.0.0.1:1/path") == "URL must not contain a path: http://127.0.0.1:1/path");
    CHECK(Err("http://127.0.0.1:1/") == "URL must not contain a path: http://127.0.0.1:1/");
  }

  TEST_CASE("syntax errors worded like Go's net/url") {
    CHECK(Err("%zz") == "parse \"%zz\": invalid URL escape \"%zz\"");
    CHECK(Err("http://127.0.0.1:23480%zz") ==
          "parse \"http://127.0.0.1:23480%zz\": invalid port \":23480%zz\" after host");
    CHECK(Err("127.0.0.1:2379") == "parse \"127.0.0.1:2379\": first path segment in URL cannot contain colon");
    CHECK(Err(":2379") == "parse \":2379\": missing protocol scheme");
    CHECK(Err("http://[::1:2379") == "parse \"http://[::1:2379\": missing ']' in host");
  }

  TEST_CASE("lists are split on commas, trimmed and sorted") {
    auto l = common::ParseUrls("http://b:2, http://a:1");
    REQUIRE(l.ok());
    REQUIRE(l->size() == 2);
    CHECK((*l)[0].String() == "http://a:1");
    CHECK(common::JoinUrls(*l) == "http://a:1,http://b:2");
    CHECK(common::SortedUrlStrings(*l) == std::vector<std::string>{"http://a:1", "http://b:2"});
    CHECK(common::ParseUrls("http://a:1,").status().message() ==
          "URL scheme must be http, https, unix, or unixs: ");
    CHECK(common::ParseUrlList({}).status().message() == "no valid URLs given");
  }
}
