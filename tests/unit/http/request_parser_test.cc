// Bytes to requests as a connection reads them: whatever the pieces the
// bytes arrive in, the same requests come out, and no sequence of bytes ends
// the process.
#include "server/http/request_parser.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>

namespace http::internal {
namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts) s += (s.empty() ? "" : " | ") + p;
  return s;
}

// Feeds `pieces` one at a time, as separate reads, and returns what each
// finished request's body was, then how the bytes ended ("need more",
// "idle", "refused: ..."), joined by " | ".
std::string Feed(const std::vector<std::string>& pieces) {
  const ServerOptions options;
  boost::beast::flat_buffer in(options.max_header_bytes + kHeaderSlack);
  RequestParser parser(options);
  std::vector<std::string> out;
  for (const std::string& piece : pieces) {
    in.commit(boost::asio::buffer_copy(in.prepare(piece.size()), boost::asio::buffer(piece)));
    while (true) {
      auto event = parser.Parse(in);
      if (event == RequestParser::Event::kHead) continue;
      if (event == RequestParser::Event::kDone) {
        wire::Framing framing;
        out.push_back("body: " + parser.Take(false, "", &framing).body);
        continue;
      }
      if (event == RequestParser::Event::kRefused) {
        out.push_back("refused: " + std::string(parser.Refusal()));
        return Join(out);
      }
      break;
    }
  }
  out.push_back(parser.started() ? "need more" : "idle");
  return Join(out);
}

const std::string kChunkedHead = "PUT /v2/keys/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

}  // namespace

TEST_SUITE("http") {
  TEST_CASE("parser: a chunked body's last chunk and final CRLF may arrive byte by byte") {
    // Found by fuzz/http_request_fuzz.cc: "0\r\n" then "\r" in separate reads
    // failed an assertion in Boost 1.74's Beast (parse_chunk_header: n >= 5,
    // fixed upstream in beast PR 2861), which ended the server.
    CHECK(Feed({kChunkedHead + "7\r\nvalue=1\r\n", "0\r\n", "\r", "\n"}) ==
          "body: value=1 | idle");
    CHECK(Feed({kChunkedHead + "0\r\n", "\r", "\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"}) ==
          "body:  | body:  | idle");
    CHECK(Feed({kChunkedHead + "0\r\n", "X", "-", "A: b\r\n\r\n"}) == "body:  | idle");
    std::vector<std::string> bytes;
    for (char c : kChunkedHead + "7\r\nvalue=1\r\n0\r\nTrailer: x\r\n\r\n") bytes.emplace_back(1, c);
    CHECK(Feed(bytes) == "body: value=1 | idle");
  }

  TEST_CASE("parser: the fuzzer's chunked input read byte by byte is refused, whole or in pieces") {
    const std::string input = kChunkedHead + "0\r\nva" + std::string(14, '\xff') + "7\r\nvalue" +
                              std::string(16, '\xff') + "\r\n\r\n";
    std::vector<std::string> bytes;
    for (char c : input) bytes.emplace_back(1, c);
    CHECK(Feed(bytes) == Feed({input}));
    CHECK(Feed({input}) == "refused: 400 Bad Request");
  }
}

}  // namespace http::internal
