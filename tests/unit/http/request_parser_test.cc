// RequestParser on its own: bytes in any split, limits, what reaches the
// Request; and requests as a connection reads them: whatever the pieces the
// bytes arrive in, the same requests come out, and no sequence of bytes ends
// the process.
#include "server/http/request_parser.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>

namespace http::internal {
namespace {

ParseLimits Limits() {
  ParseLimits l;
  l.max_header_bytes = 8192;
  l.max_header_fields = 10;
  l.max_request_line = 100;
  l.max_body_bytes = 1000;
  return l;
}

// Feeds `bytes` in pieces of `step`, as a connection would (unused bytes stay
// in front of the next piece). Returns the first error.
ParseError Feed(RequestParser& p, const std::string& bytes, std::size_t step) {
  std::string buffered;
  std::size_t next = 0;
  while (!p.done()) {
    if (next < bytes.size()) {
      buffered += bytes.substr(next, step);
      next += step;
    }
    bool need_more = false;
    ParseError error = ParseError::kNone;
    std::size_t used = p.Put(boost::asio::buffer(buffered), &need_more, &error);
    buffered.erase(0, used);
    if (error != ParseError::kNone) return error;
    if (next >= bytes.size() && (need_more || used == 0) && !p.done()) break;
  }
  return ParseError::kNone;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : " | ") + p;
  return s;
}

// Feeds `pieces` one at a time, as separate reads, through a parser per
// request as a Session does, and returns what each finished request's body
// was, then how the bytes ended ("need more", "idle", "refused: ..."),
// joined by " | ".
std::string Read(const std::vector<std::string>& pieces) {
  const ServerOptions options;
  boost::beast::flat_buffer in(options.max_header_bytes + kHeaderSlack);
  std::optional<RequestParser> parser;
  std::vector<std::string> out;
  for (const std::string& piece : pieces) {
    in.commit(boost::asio::buffer_copy(in.prepare(piece.size()), boost::asio::buffer(piece)));
    while (in.size() > 0 || parser) {
      if (!parser) parser.emplace(ParseLimits::For(options));
      auto event = parser->Parse(in);
      if (event == RequestParser::Event::kHead) continue;
      if (event == RequestParser::Event::kDone) {
        wire::Framing framing;
        out.push_back("body: " + parser->Take(false, "", &framing).body);
        parser.reset();
        continue;
      }
      if (event == RequestParser::Event::kRefused) {
        out.push_back("refused: " + std::string(parser->Refusal()));
        return Join(out);
      }
      break;
    }
  }
  out.push_back(parser ? "need more" : "idle");
  return Join(out);
}

const std::string kChunkedHead = "PUT /v2/keys/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST_SUITE("http") {

TEST_CASE("request parser: a request in any split fills the Request") {
  const std::string bytes =
      "POST http://h/v2/keys/a?x=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (std::size_t step : {1, 7, 1000}) {
    CAPTURE(step);
    RequestParser p(Limits());
    CHECK(Feed(p, bytes, step) == ParseError::kNone);
    REQUIRE(p.done());
    CHECK(p.version() == 11);
    CHECK(p.keep_alive());
    CHECK(p.host_fields() == 1);
    Request& r = p.request();
    CHECK(r.method == "POST");
    CHECK(r.path == "/v2/keys/a");
    CHECK(r.query == "x=1");
    CHECK(r.Header("X-A") == "1");
    CHECK(r.Header("X-Trailer").empty());  // trailers are dropped
    CHECK(r.body == "abcde");
  }
}

TEST_CASE("request parser: limits give their refusals") {
  auto parse = [](const std::string& bytes) {
    RequestParser p(Limits());
    return Feed(p, bytes, 3);
  };
  std::string fields;
  for (int i = 0; i < 10; ++i) fields += "X: v\r\n";
  CHECK(parse("GET / HTTP/1.1\r\n" + fields + "\r\n") == ParseError::kNone);
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n") == ParseError::kHeaderTooLarge);
  CHECK(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + fields + "\r\n") ==
        ParseError::kHeaderTooLarge);
  // "GET /" + path + " HTTP/1.1\r\n": 100 bytes with 84 path bytes
  CHECK(parse("GET /" + std::string(84, 'a') + " HTTP/1.1\r\n\r\n") == ParseError::kNone);
  CHECK(parse("GET /" + std::string(85, 'a') + " HTTP/1.1\r\n\r\n") == ParseError::kUriTooLong);
  CHECK(parse("GET /" + std::string(500, 'a')) == ParseError::kUriTooLong);  // no end yet
  CHECK(parse("GET / HTTP/1.1\r\nX: " + std::string(9000, 'v') + "\r\n\r\n") ==
        ParseError::kHeaderTooLarge);
  CHECK(parse("PUT / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n") == ParseError::kBodyTooLarge);
  CHECK(parse("PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n") ==
        ParseError::kBodyTooLarge);
  CHECK(parse("PUT / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") ==
        ParseError::kBadTransferEncoding);
  CHECK(parse("GET / HTTP/1.1\r\nBad Field\r\n\r\n") == ParseError::kBadRequest);
}

TEST_CASE("request parser: a declared length reserves little before the bytes come") {
  ParseLimits limits = Limits();
  limits.max_body_bytes = 64 << 20;
  RequestParser p(limits);
  CHECK(Feed(p, "PUT / HTTP/1.1\r\nContent-Length: 60000000\r\n\r\nab", 100) == ParseError::kNone);
  CHECK_FALSE(p.done());
  CHECK(p.request().body == "ab");
  CHECK(p.request().body.capacity() <= 64 * 1024);
}

TEST_CASE("parser: a chunked body's last chunk and final CRLF may arrive byte by byte") {
  // Found by fuzz/http_request_fuzz.cc: "0\r\n" then "\r" in separate reads
  // failed an assertion in Boost 1.74's Beast (parse_chunk_header: n >= 5,
  // fixed upstream in beast PR 2861), which ended the server.
  CHECK(Read({kChunkedHead + "7\r\nvalue=1\r\n", "0\r\n", "\r", "\n"}) == "body: value=1 | idle");
  CHECK(Read({kChunkedHead + "0\r\n", "\r", "\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}) ==
        "body:  | body:  | idle");
  CHECK(Read({kChunkedHead + "0\r\n", "X", "-", "A: b\r\n\r\n"}) == "body:  | idle");
  std::vector<std::string> bytes;
  for (char c : kChunkedHead + "7\r\nvalue=1\r\n0\r\nTrailer: x\r\n\r\n") bytes.emplace_back(1, c);
  CHECK(Read(bytes) == "body: value=1 | idle");
}

TEST_CASE("parser: the fuzzer's chunked input read byte by byte is refused, whole or in pieces") {
  const std::string input = kChunkedHead + "0\r\nva" + std::string(14, '\xff') + "7\r\nvalue" +
                            std::string(16, '\xff') + "\r\n\r\n";
  std::vector<std::string> bytes;
  for (char c : input) bytes.emplace_back(1, c);
  CHECK(Read(bytes) == Read({input}));
  CHECK(Read({input}) == "refused: 400 Bad Request");
}

}  // TEST_SUITE
}  // namespace
}  // namespace http::internal
