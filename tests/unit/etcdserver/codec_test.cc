#include <doctest/doctest.h>

#include "server/etcdserver/conf_change.h"
#include "server/etcdserver/request.h"

TEST_SUITE("etcdserver") {
  TEST_CASE("a request survives the log encoding byte for byte") {
    etcdserver::Request r;
    r.id = 42;
    r.method = "PUT";
    r.path = "/1/k\xff\x00x";
    r.val = std::string("v\0\xfe", 3);
    r.dir = true;
    r.prev_value = "pv";
    r.prev_index = 9;
    r.prev_exist = false;
    r.expiration_ns = -5;
    r.since = 7;
    r.recursive = true;
    r.sorted = true;
    r.quorum = true;
    r.time_ns = 1234567890123;
    r.stream = true;
    r.refresh = true;
    auto d = etcdserver::Request::Decode(r.Encode());
    REQUIRE(d.has_value());
    CHECK(d->id == 42);
    CHECK(d->path == r.path);
    CHECK(d->val == r.val);
    CHECK(d->dir);
    CHECK(d->prev_value == "pv");
    CHECK(d->prev_index == 9);
    REQUIRE(d->prev_exist.has_value());
    CHECK_FALSE(*d->prev_exist);
    CHECK(d->expiration_ns == -5);
    CHECK(d->since == 7);
    CHECK(d->recursive);
    CHECK(d->sorted);
    CHECK(d->quorum);
    CHECK(d->time_ns == 1234567890123);
    CHECK(d->stream);
    CHECK(d->refresh == std::optional<bool>(true));
    CHECK_FALSE(d->wait);
  }

  TEST_CASE("absent optionals stay absent") {
    etcdserver::Request r;
    r.method = "DELETE";
    auto d = etcdserver::Request::Decode(r.Encode());
    REQUIRE(d.has_value());
    CHECK_FALSE(d->prev_exist.has_value());
    CHECK_FALSE(d->refresh.has_value());
  }

  TEST_CASE("truncated or trailing bytes do not decode") {
    etcdserver::Request r;
    r.method = "PUT";
    r.val = "hello";
    std::string enc = r.Encode();
    CHECK_FALSE(etcdserver::Request::Decode(enc.substr(0, enc.size() - 3)).has_value());
    CHECK_FALSE(etcdserver::Request::Decode(enc + "x").has_value());
    CHECK_FALSE(etcdserver::Request::Decode("").has_value());
  }

  TEST_CASE("conf change contexts round-trip") {
    etcdserver::ConfChangeContext ctx{0xabc, {"http://a:1", "http://b:2"}};
    auto d = etcdserver::ConfChangeContext::Decode(ctx.Encode());
    REQUIRE(d.has_value());
    CHECK(d->request_id == 0xabc);
    CHECK(d->peer_urls == ctx.peer_urls);
    CHECK_FALSE(etcdserver::ConfChangeContext::Decode(ctx.Encode() + "x").has_value());
  }
}
