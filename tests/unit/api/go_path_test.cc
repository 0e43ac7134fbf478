// Go's path handling in front of /v2/keys: path.Clean, ServeMux's 301 for
// unclean paths, and percent-decoding of the request path. Expected values are
// what etcd 3.4.23 (Go 1.19.8) answered on loopback; $E is its client URL and
// curl ran with --path-as-is.
#include "server/api/go_path.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

http::Request Target(std::string path, std::string query = "") {
  http::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

std::string HeaderOf(const http::Response& resp, const std::string& name) {
  for (const auto& [k, v] : resp.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

}  // namespace

TEST_SUITE("api") {

TEST_CASE("GoPathClean follows Go's path.Clean") {
  CHECK(api::GoPathClean("") == ".");
  CHECK(api::GoPathClean("/") == "/");
  CHECK(api::GoPathClean("//a//b//") == "/a/b");
  CHECK(api::GoPathClean("/a/./b/.") == "/a/b");
  CHECK(api::GoPathClean("/a/b/../c") == "/a/c");
  CHECK(api::GoPathClean("/a/b/c/../../d") == "/a/d");
  CHECK(api::GoPathClean("/../../a") == "/a");
  CHECK(api::GoPathClean("/a/..") == "/");
  CHECK(api::GoPathClean("/1/") == "/1");
  CHECK(api::GoPathClean("a/../..") == "..");
  CHECK(api::GoPathClean("../a/../../b") == "../../b");
  CHECK(api::GoPathClean("./") == ".");
  CHECK(api::GoPathClean("/.a/..b/...") == "/.a/..b/...");
}

TEST_CASE("GoMuxCleanPath keeps a trailing slash") {
  CHECK(api::GoMuxCleanPath("") == "/");
  CHECK(api::GoMuxCleanPath("/v2/keys/") == "/v2/keys/");
  CHECK(api::GoMuxCleanPath("/v2/keys/a/./") == "/v2/keys/a/");
  CHECK(api::GoMuxCleanPath("/v2/keys/a/.") == "/v2/keys/a");
  CHECK(api::GoMuxCleanPath("/v2/keys//") == "/v2/keys/");
  CHECK(api::GoMuxCleanPath("v2/keys") == "/v2/keys");
}

TEST_CASE("clean paths are not redirected") {
  CHECK_FALSE(api::MuxCleanRedirect("GET", "/v2/keys", "").has_value());
  CHECK_FALSE(api::MuxCleanRedirect("GET", "/v2/keys/", "").has_value());
  CHECK_FALSE(api::MuxCleanRedirect("PUT", "/v2/keys/a/", "x=1").has_value());
  CHECK_FALSE(api::MuxCleanRedirect("GET", "/v2/keys/a b/c", "").has_value());
}

TEST_CASE("unclean paths get Go's 301 with an HTML body for GET") {
  // curl -i $E/v2/keys//a
  auto resp = api::MuxCleanRedirect("GET", "/v2/keys//a", "");
  REQUIRE(resp.has_value());
  CHECK(resp->status == 301);
  CHECK(HeaderOf(*resp, "Location") == "/v2/keys/a");
  CHECK(HeaderOf(*resp, "Content-Type") == "text/html; charset=utf-8");
  CHECK(resp->body == "<a href=\"/v2/keys/a\">Moved Permanently</a>.\n\n");

  // curl -i $E/v2/keys/./a  and  //v2/keys/a
  CHECK(HeaderOf(*api::MuxCleanRedirect("GET", "/v2/keys/./a", ""), "Location") == "/v2/keys/a");
  CHECK(HeaderOf(*api::MuxCleanRedirect("GET", "//v2/keys/a", ""), "Location") == "/v2/keys/a");
  // curl -i $E/v2/keys/..  -> Location: /v2 ;  $E/v2/keys/%2e%2e/x -> /v2/x
  CHECK(HeaderOf(*api::MuxCleanRedirect("GET", "/v2/keys/..", ""), "Location") == "/v2");
  CHECK(HeaderOf(*api::MuxCleanRedirect("GET", "/v2/keys/../x", ""), "Location") == "/v2/x");
}

TEST_CASE("redirect keeps the raw query and escapes it for HTML") {
  // curl -i "$E/v2/keys/a/../b?x=1&y='<>\""
  auto resp = api::MuxCleanRedirect("GET", "/v2/keys/a/../b", "x=1&y='<>\"");
  REQUIRE(resp.has_value());
  CHECK(HeaderOf(*resp, "Location") == "/v2/keys/b?x=1&y='<>\"");
  CHECK(resp->body ==
        "<a href=\"/v2/keys/b?x=1&amp;y=&#39;&lt;&gt;&#34;\">Moved Permanently</a>.\n\n");
  // curl -i "$E/v2/keys/./a?" : an empty query adds no '?'
  CHECK(HeaderOf(*api::MuxCleanRedirect("GET", "/v2/keys/./a", ""), "Location") == "/v2/keys/a");
}

TEST_CASE("redirect re-escapes the decoded path and hex-escapes non-ASCII in the query") {
  // curl -i "$E/v2/keys/x/..%2F..%2F..%2Fv2%2Fkeys%2Fa%20b!*'()%3F%23é"
  auto resp = api::MuxCleanRedirect("GET", "/v2/keys/x/../../../v2/keys/a b!*'()?#\xc3\xa9", "");
  REQUIRE(resp.has_value());
  CHECK(HeaderOf(*resp, "Location") == "/v2/keys/a%20b%21%2A%27%28%29%3F%23%C3%A9");
  // curl -i $E/v2/keys/a%2F%2Fb  (decoded "a//b" is unclean too)
  CHECK(HeaderOf(*api::MuxCleanRedirect("GET", "/v2/keys/a//b", ""), "Location") ==
        "/v2/keys/a/b");
  // raw request "GET /v2/keys//a?x=\xc3\xa9&y=%zz"
  resp = api::MuxCleanRedirect("GET", "/v2/keys//a", "x=\xc3\xa9&y=%zz");
  REQUIRE(resp.has_value());
  CHECK(HeaderOf(*resp, "Location") == "/v2/keys/a?x=%c3%a9&y=%zz");
  CHECK(resp->body == "<a href=\"/v2/keys/a?x=\xc3\xa9&amp;y=%zz\">Moved Permanently</a>.\n\n");
  // sub-delims that Go keeps in paths
  CHECK(HeaderOf(*api::MuxCleanRedirect("GET", "//a$&+,:;=@-_.~", ""), "Location") ==
        "/a$&+,:;=@-_.~");
}

TEST_CASE("redirect body and content type depend on the method") {
  // curl -I $E/v2/keys/./a : Content-Type, no body
  auto head = api::MuxCleanRedirect("HEAD", "/v2/keys/./a", "");
  REQUIRE(head.has_value());
  CHECK(HeaderOf(*head, "Content-Type") == "text/html; charset=utf-8");
  CHECK(head->body.empty());
  // curl -X PUT $E/v2/keys/./a -d value=1 : neither
  auto put = api::MuxCleanRedirect("PUT", "/v2/keys/./a", "");
  REQUIRE(put.has_value());
  CHECK(put->status == 301);
  CHECK(HeaderOf(*put, "Content-Type") == "<absent>");
  CHECK(put->body.empty());
  // curl -X DELETE $E/v2/keys/./a/ : trailing slash kept
  auto del = api::MuxCleanRedirect("DELETE", "/v2/keys/./a/", "");
  REQUIRE(del.has_value());
  CHECK(HeaderOf(*del, "Location") == "/v2/keys/a/");
}

TEST_CASE("request path decoding") {
  // curl -X PUT $E/v2/keys/d%2Fe%20f -d value=1  -> key "/d/e f"
  CHECK(api::DecodeRequestPath(Target("/v2/keys/d%2Fe%20f")).value() == "/v2/keys/d/e f");
  // curl -X PUT $E/v2/keys/caf%C3%A9+x -d value=1  -> key "/café+x" ('+' stays in paths)
  CHECK(api::DecodeRequestPath(Target("/v2/keys/caf%C3%A9+x")).value() ==
        "/v2/keys/caf\xc3\xa9+x");
  // curl -X PUT $E/v2/keys/n%00ul -d value=z  -> key "/n\u0000ul" stored
  CHECK(api::DecodeRequestPath(Target("/v2/keys/n%00ul")).value() ==
        std::string("/v2/keys/n\0ul", 13));
  // curl -X PUT $E/v2/keys/bad%FF : the raw byte is kept (JSON shows \ufffd)
  CHECK(api::DecodeRequestPath(Target("/v2/keys/bad%FF")).value() == "/v2/keys/bad\xff");
  // a '%' inside the query is not the path's business
  CHECK(api::DecodeRequestPath(Target("/v2/keys/a", "x=%zz")).ok());
}

TEST_CASE("undecodable targets get Go's plain 400") {
  // curl -i $E/v2/keys/%zz ; $E/v2/keys/%2
  CHECK_FALSE(api::DecodeRequestPath(Target("/v2/keys/%zz")).ok());
  CHECK_FALSE(api::DecodeRequestPath(Target("/v2/keys/%2")).ok());
  CHECK_FALSE(api::DecodeRequestPath(Target("/v2/keys/%")).ok());
  // raw "GET /v2/keys/a\x01b" and "GET /v2/keys/a?x=\x01" and "?x=%\x7f"
  CHECK_FALSE(api::DecodeRequestPath(Target("/v2/keys/a\x01" "b")).ok());
  CHECK_FALSE(api::DecodeRequestPath(Target("/v2/keys/a", "x=\x01")).ok());
  CHECK_FALSE(api::DecodeRequestPath(Target("/v2/keys/a", "x=%\x7f")).ok());

  const http::Response resp = api::BadRequestResponse();
  CHECK(resp.status == 400);
  CHECK(HeaderOf(resp, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(HeaderOf(resp, "Connection") == "close");
  CHECK(resp.body == "400 Bad Request");
}

TEST_CASE("GoUnescape error texts quote the bad escape like strconv.Quote") {
  using api::UnescapeMode;
  auto err = [](std::string s) {
    auto r = api::GoUnescape(s, UnescapeMode::kQueryComponent);
    return r.ok() ? std::string("<ok>") : r.status().message();
  };
  // curl "$E/v2/keys/a?x=%zz" ; "?x=%" ; -d 'value=%z'
  CHECK(err("x%zzy") == R"(invalid URL escape "%zz")");
  CHECK(err("%") == R"(invalid URL escape "%")");
  CHECK(err("a%z") == R"(invalid URL escape "%z")");
  // raw query bytes: "%\xc3\xa9" printable, "%\xc2\x85" and "%\xc2\xa0" not,
  // "%\xe2\x82" invalid UTF-8, "%\"\\" quote and backslash
  CHECK(err("%\xc3\xa9") == "invalid URL escape \"%\xc3\xa9\"");
  CHECK(err("%\xc2\x85") == R"(invalid URL escape "%\u0085")");
  CHECK(err("%\xc2\xa0") == R"(invalid URL escape "%\u00a0")");
  CHECK(err("%\xe2\x82") == R"(invalid URL escape "%\xe2\x82")");
  CHECK(err("%\"\\") == R"(invalid URL escape "%\"\\")");
  // curl -X PUT $E/v2/keys/a --data-binary $'value=%\x01x'
  CHECK(err("%\x01x") == R"(invalid URL escape "%\x01x")");
  CHECK(err("%\t1") == R"(invalid URL escape "%\t1")");

  CHECK(api::GoUnescape("a+b%20c%2B", UnescapeMode::kQueryComponent).value() == "a b c+");
  CHECK(api::GoUnescape("a+b%20c%2B", UnescapeMode::kPath).value() == "a+b c+");
  CHECK(api::GoUnescape("%e2%82%AC", UnescapeMode::kPath).value() == "\xe2\x82\xac");
}

// MuxCleanRedirect skips building the clean path when the path is already
// clean; every short path over '/', '.' and 'a' must get the same verdict as
// comparing with GoMuxCleanPath.
TEST_CASE("MuxCleanRedirect redirects exactly the paths GoMuxCleanPath changes") {
  std::vector<std::string> paths = {""};
  for (size_t len = 1, begin = 0; len <= 7; ++len) {
    const size_t end = paths.size();
    for (size_t i = begin; i < end; ++i) {
      for (char c : {'/', '.', 'a'}) paths.push_back(paths[i] + c);
    }
    begin = end;
  }
  for (const std::string& p : paths) {
    CAPTURE(p);
    CHECK(api::MuxCleanRedirect("GET", p, "").has_value() == (api::GoMuxCleanPath(p) != p));
  }
}

}  // TEST_SUITE
