#include "common/http_client.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <thread>

TEST_SUITE("common") {
  TEST_CASE("SplitHttpUrl separates base and target") {
    auto a = common::SplitHttpUrl("http://127.0.0.1:2379/v2/keys/a?wait=true");
    REQUIRE(a.ok());
    CHECK(a->base == "http://127.0.0.1:2379");
    CHECK(a->target == "/v2/keys/a?wait=true");
    auto b = common::SplitHttpUrl("HTTPS://example.com");
    REQUIRE(b.ok());
    CHECK(b->base == "https://example.com");
    CHECK(b->target == "/");
    CHECK(common::SplitHttpUrl("http://h:1?x=1")->target == "/?x=1");
    CHECK_FALSE(common::SplitHttpUrl("ftp://h/x").ok());
    CHECK_FALSE(common::SplitHttpUrl("h:2379/x").ok());
    CHECK_FALSE(common::SplitHttpUrl("http:///x").ok());
  }

  TEST_CASE("QueryEscape matches Go's url.QueryEscape") {
    CHECK(common::QueryEscape("a b&c=d/é") == "a+b%26c%3Dd%2F%C3%A9");
    CHECK(common::QueryEscape("AZaz09-_.~") == "AZaz09-_.~");
  }

  TEST_CASE("HttpDo sends method, headers and body and returns the answer") {
    httplib::Server server;
    server.Put("/v2/keys/x", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_header("X-Etcd-Index", "7");
      res.set_content(req.get_header_value("Authorization") + "|" + req.body, "application/json");
    });
    int port = server.bind_to_any_port("127.0.0.1");
    std::thread t([&] { server.listen_after_bind(); });
    common::HttpOptions opts;
    opts.headers = {{"Authorization", "Basic dTpw"}};
    auto r = common::HttpDo("PUT", "http://127.0.0.1:" + std::to_string(port) + "/v2/keys/x", "value=1",
                            "application/x-www-form-urlencoded", opts);
    server.stop();
    t.join();
    REQUIRE(r.ok());
    CHECK(r->status == 201);
    CHECK(r->Header("x-etcd-index") == "7");
    CHECK(r->body == "Basic dTpw|value=1");
  }

  TEST_CASE("HttpDo names the URL when nothing listens") {
    httplib::Server probe;
    int port = probe.bind_to_any_port("127.0.0.1");
    probe.stop();  // closes the socket: the port is now refused
    auto r = common::HttpDo("GET", "http://127.0.0.1:" + std::to_string(port) + "/x");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("GET http://127.0.0.1:") == 0);
  }
}
