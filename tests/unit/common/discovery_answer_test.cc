// The discovery service's answers as the v2 discovery client reads them:
// etcd errors as etcd's client prints them, and hostile bodies refused.
#include "common/discovery_answer.h"

#include <doctest/doctest.h>

#include <string>

namespace {

common::Result<common::DiscoveryAnswer> Answer(int status, const std::string& body) {
  common::HttpResponse r;
  r.status = status;
  r.headers = {{"X-Etcd-Index", "5"}};
  r.body = body;
  return common::ParseDiscoveryAnswer(r, "GET http://d/t");
}

std::string Nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_SUITE("common") {
  TEST_CASE("discovery: an etcd error reads as etcd's client prints it") {
    auto a = Answer(404, R"({"errorCode":100,"message":"Key not found","cause":"/t/_config","index":5})");
    REQUIRE(a.ok());
    CHECK(a->error_code == 100);
    CHECK(a->error == "100: Key not found (/t/_config) [5]");
    // Go's zero values for absent or null fields.
    a = Answer(412, R"({"errorCode":105,"message":null})");
    REQUIRE(a.ok());
    CHECK(a->error == "105:  () [0]");
  }

  TEST_CASE("discovery: an error whose fields have the wrong type is invalid JSON, as in etcd") {
    for (const char* body : {R"({"errorCode":100,"message":["Key not found"]})",
                             R"({"errorCode":100,"cause":{"a":1}})", R"({"errorCode":100,"index":"5"})",
                             R"({"errorCode":100,"index":-1})", R"({"errorCode":100,"index":1.5})"}) {
      CAPTURE(body);
      auto a = Answer(400, body);
      REQUIRE_FALSE(a.ok());
      CHECK(a.status().message() == common::kDiscoveryInvalidJson);
    }
  }

  TEST_CASE("discovery: deeply nested answers are refused or read without exhausting the stack") {
    // Found while fuzzing discovery answers: the error text dumped a
    // non-string message back, recursing once per level.
    auto a = Answer(400, "{\"errorCode\":1,\"message\":" + Nested(500000) + "}");
    REQUIRE_FALSE(a.ok());
    CHECK(a.status().message() == common::kDiscoveryInvalidJson);
    a = Answer(200, "{\"node\":{\"key\":" + Nested(500000) + ",\"nodes\":[" + Nested(500000) + "]}}");
    REQUIRE(a.ok());
    CHECK(a->node.key.empty());
    CHECK(a->children.size() == 1);
  }
}
