#include "cli/keys_response.h"

#include <doctest/doctest.h>

#include "cli/member_commands.h"

namespace cli {

TEST_SUITE("cli") {
  static KeysResponse Decode(int status, const std::string& body, const std::string& index = "7") {
    common::HttpResponse http;
    http.status = status;
    http.body = body;
    http.headers = {{"X-Etcd-Index", index}};
    CtlResult<KeysResponse> r = DecodeKeysResponse(http);
    REQUIRE(r.ok());
    return *r.value;
  }

  static std::string Format(const KeysResponse& r, const std::string& format) {
    std::string out, err;
    FormatKeysResponse(r, format, &out, &err);
    return out + err;
  }

  TEST_CASE("a set prints as etcdctl prints it in each format") {
    KeysResponse r = Decode(200,
                            R"({"action":"set","node":{"key":"/a","value":"<v>","modifiedIndex":7,"createdIndex":7},)"
                            R"("prevNode":{"key":"/a","value":"old","modifiedIndex":5,"createdIndex":5}})");
    CHECK(Format(r, "simple") == "<v>\n");
    CHECK(Format(r, "extended") ==
          "Key: /a\nCreated-Index: 7\nModified-Index: 7\nPrevNode.Value: old\nTTL: 0\nIndex: 7\n\n<v>\n");
    CHECK(Format(r, "json") ==
          R"({"action":"set","node":{"key":"/a","value":"\u003cv\u003e","nodes":null,"createdIndex":7,"modifiedIndex":7},)"
          R"("prevNode":{"key":"/a","value":"old","nodes":null,"createdIndex":5,"modifiedIndex":5}})"
          "\n");
    CHECK(Format(r, "xml") == "Unsupported output format: xml\n");
  }

  TEST_CASE("a delete prints the previous value; a directory keeps dir, nodes, ttl and expiration") {
    KeysResponse del = Decode(200, R"({"action":"delete","node":{"key":"/a","modifiedIndex":9,"createdIndex":7},)"
                                   R"("prevNode":{"key":"/a","value":"x","modifiedIndex":7,"createdIndex":7}})");
    CHECK(Format(del, "simple") == "PrevNode.Value: x\n");
    KeysResponse dir = Decode(200, R"({"action":"get","node":{"key":"/d","dir":true,"expiration":"2026-01-01T00:00:00.5Z",)"
                                   R"("ttl":9,"nodes":[{"key":"/d/x","value":"1","modifiedIndex":3,"createdIndex":3}],)"
                                   R"("modifiedIndex":2,"createdIndex":2}})");
    CHECK(Format(dir, "json") ==
          R"({"action":"get","node":{"key":"/d","dir":true,"value":"","nodes":[{"key":"/d/x","value":"1","nodes":null,)"
          R"("createdIndex":3,"modifiedIndex":3}],"createdIndex":2,"modifiedIndex":2,)"
          R"("expiration":"2026-01-01T00:00:00.5Z","ttl":9},"prevNode":null})"
          "\n");
  }

  TEST_CASE("an etcd error reads as the Go client's error") {
    common::HttpResponse http;
    http.status = 404;
    http.body = R"({"errorCode":100,"message":"Key not found","cause":"/foo","index":12})";
    CtlResult<KeysResponse> r = DecodeKeysResponse(http);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.Text() == "100: Key not found (/foo) [12]");
  }

  TEST_CASE("a cluster error lists each endpoint's failure, in Text and in Detail") {
    CtlError e;
    e.cluster = true;
    e.errors = {"dial tcp 127.0.0.1:1: connect: connection refused", "x"};
    CHECK(e.Text() ==
          "client: etcd cluster is unavailable or misconfigured; error #0: dial tcp 127.0.0.1:1: connect: connection "
          "refused\n; error #1: x\n");
    CHECK(e.Detail() == "error #0: dial tcp 127.0.0.1:1: connect: connection refused\nerror #1: x\n");
  }

  TEST_CASE("member table: centred headers, right-aligned cells, unstarted members") {
    std::vector<Member> members = {{"8e9e05c52164694d", "infra0", {"http://127.0.0.1:2380"}, {"http://127.0.0.1:2379"}},
                                   {"91bc3c398fb3c146", "", {"http://10.0.0.2:2380"}, {}}};
    CHECK(MemberTable(members) ==
          "+------------------+-----------+--------+-----------------------+-----------------------+\n"
          "|        ID        |  STATUS   |  NAME  |      PEER ADDRS       |     CLIENT ADDRS      |\n"
          "+------------------+-----------+--------+-----------------------+-----------------------+\n"
          "| 8e9e05c52164694d |   started | infra0 | http://127.0.0.1:2380 | http://127.0.0.1:2379 |\n"
          "| 91bc3c398fb3c146 | unstarted |        |  http://10.0.0.2:2380 |                       |\n"
          "+------------------+-----------+--------+-----------------------+-----------------------+\n");
  }
}

}  // namespace cli
