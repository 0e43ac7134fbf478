// Response bytes as Go's net/http lays them out (server/http/wire.h).
#include <doctest/doctest.h>

#include "server/http/wire.h"

namespace http::wire {
namespace {

std::string WithoutDate(std::string s) {
  auto pos = s.find("Date: ");
  if (pos == std::string::npos) return s;
  return s.erase(pos, s.find("\r\n", pos) + 2 - pos);
}

TEST_SUITE("http") {

TEST_CASE("wire: handler headers are canonical and sorted, then Date and Content-Length") {
  Response r;
  r.status = 201;
  r.headers = {{"x-etcd-index", "4"}, {"Content-Type", "application/json"}, {"X-Raft-Term", "2"}};
  r.body = "{}";
  std::string out = FormatReply(r, Framing{});
  CHECK(out.find("Date: " + HttpDate() + "\r\n") != std::string::npos);
  CHECK(WithoutDate(out) ==
        "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Etcd-Index: 4\r\n"
        "X-Raft-Term: 2\r\nContent-Length: 2\r\n\r\n{}");
}

TEST_CASE("wire: values of one name keep their order whatever the spelling of the name") {
  Response r;
  r.headers = {{"x-b", "1"}, {"X-A", "2"}, {"x-a", "3"}, {"Vary", "v"}, {"X-B", "4"},
               {"bad key", "5"}, {"x-b", "6"}};
  CHECK(WithoutDate(FormatReply(r, Framing{})) ==
        "HTTP/1.1 200 OK\r\nVary: v\r\nX-A: 2\r\nX-A: 3\r\nX-B: 1\r\nX-B: 4\r\nX-B: 6\r\n"
        "bad key: 5\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("wire: HEAD states the body's length only if there is a body") {
  Response r;
  r.body = "hello";
  Framing head;
  head.head = true;
  CHECK(WithoutDate(FormatReply(r, head)) == "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
  r.body.clear();
  CHECK(WithoutDate(FormatReply(r, head)) == "HTTP/1.1 200 OK\r\n\r\n");
  CHECK(WithoutDate(FormatReply(r, Framing{})) == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("wire: Connection header and version follow the request") {
  Response r;
  Framing close;
  close.keep_alive = false;
  CHECK(WithoutDate(FormatReply(r, close)) ==
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  Framing http10;
  http10.http10 = true;
  http10.keep_alive = false;
  CHECK(WithoutDate(FormatReply(r, http10)) == "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  http10.keep_alive = true;
  CHECK(WithoutDate(FormatReply(r, http10)) ==
        "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
}

TEST_CASE("wire: no body and no length for 204 and 304; unknown codes as Go writes them") {
  Response r;
  r.status = 204;
  r.body = "ignored";
  CHECK(WithoutDate(FormatReply(r, Framing{})) == "HTTP/1.1 204 No Content\r\n\r\n");
  r.status = 599;
  r.body = "";
  CHECK(WithoutDate(FormatReply(r, Framing{})) ==
        "HTTP/1.1 599 status code 599\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("wire: header values cannot split the head") {
  Response r;
  r.headers = {{"X-A", "1\r\nX-Injected: 2"}};
  CHECK(WithoutDate(FormatReply(r, Framing{})) ==
        "HTTP/1.1 200 OK\r\nX-A: 1  X-Injected: 2\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("wire: stream heads and chunks") {
  bool chunked = false;
  CHECK(WithoutDate(FormatStreamHead(200, {{"Content-Type", "application/json"}}, Framing{},
                                     &chunked)) ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
  CHECK(chunked);
  Framing http10;
  http10.http10 = true;
  http10.keep_alive = false;
  CHECK(WithoutDate(FormatStreamHead(200, {}, http10, &chunked)) == "HTTP/1.0 200 OK\r\n\r\n");
  CHECK_FALSE(chunked);
  CHECK(FormatChunk(std::string(155, 'x')).substr(0, 4) == "9b\r\n");
  CHECK(FormatChunk("") == "");
}

TEST_CASE("wire: canonical header names") {
  CHECK(CanonicalKey("content-type") == "Content-Type");
  CHECK(CanonicalKey("X-ETCD-INDEX") == "X-Etcd-Index");
  CHECK(CanonicalKey("bad key") == "bad key");
}

TEST_CASE("wire: Go's own error answers") {
  CHECK(FormatError(kHeaderTooLarge) ==
        "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; "
        "charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large");
}

}  // TEST_SUITE
}  // namespace
}  // namespace http::wire
