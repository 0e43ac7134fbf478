#include "server/api/go_json.h"

#include <doctest/doctest.h>

// Expected texts are what Go 1.19's encoding/json (etcd 3.4.23) reports.
TEST_SUITE("api") {
  TEST_CASE("well-formed documents have no error") {
    CHECK_FALSE(api::GoJsonSyntaxError(R"({"peerURLs":["http://a:1"]})").has_value());
    CHECK_FALSE(api::GoJsonSyntaxError(" [1, -2.5e3, true, false, null, \"x\\\"y\"] ").has_value());
  }
  TEST_CASE("malformed documents get Go's scanner messages") {
    CHECK(*api::GoJsonSyntaxError("{bad json") ==
          "invalid character 'b' looking for beginning of object key string");
    CHECK(*api::GoJsonSyntaxError("bad") == "invalid character 'b' looking for beginning of value");
    CHECK(*api::GoJsonSyntaxError("") == "unexpected end of JSON input");
    CHECK(*api::GoJsonSyntaxError("{\"a\":1") == "unexpected end of JSON input");
    CHECK(*api::GoJsonSyntaxError("{\"a\" 1}") == "invalid character '1' after object key");
    CHECK(*api::GoJsonSyntaxError("{\"a\":1 \"b\"}") ==
          "invalid character '\"' after object key:value pair");
    CHECK(*api::GoJsonSyntaxError("[1 2]") == "invalid character '2' after array element");
    CHECK(*api::GoJsonSyntaxError("{} x") == "invalid character 'x' after top-level value");
    CHECK(*api::GoJsonSyntaxError("tru") == "unexpected end of JSON input");
    CHECK(*api::GoJsonSyntaxError("trux") == "invalid character 'x' in literal true (expecting 'e')");
  }
}
