// The HTTP request parser the servers use (server/http/request_parser.cc:
// Beast's parser under the server's limits and Go's refusals), then what
// every request meets first: Request helpers, path decoding and the mux
// redirect, and the answer's bytes (server/http/wire.cc). Input: the bytes a
// client sends on one connection, pipelined requests included.
//
// The bytes are fed twice, as reads of up to 16 KB (the server's read size)
// and in small pieces; both must yield the same requests and the same end.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <boost/asio/buffer.hpp>

#include "fuzz/input.h"
#include "server/api/go_path.h"
#include "server/http/request_parser.h"
#include "server/http/wire.h"

namespace {

using http::internal::RequestParser;

// What one connection's bytes came to: the requests, then how it ended.
struct Outcome {
  std::vector<std::string> requests;  // a summary of each
  std::string end;

  // Beast checks a head's lines at once when it has them all, but a head
  // that arrives in pieces only once its blank line is in: until then a bad
  // line is not refused yet. So a refusal may meet an unfinished request.
  bool operator==(const Outcome& o) const {
    auto unfinished = [](const Outcome& a, const Outcome& b) {
      return a.end == "eof in a request" && b.end.rfind("refused: ", 0) == 0;
    };
    return requests == o.requests && (end == o.end || unfinished(*this, o) || unfinished(o, *this));
  }
};

// Answers the request as a handler might, echoing its headers, so that the
// answer's formatting meets every byte a client can put in a header.
void Answer(const http::Request& req, const http::wire::Framing& framing) {
  namespace wire = http::wire;
  http::Response resp;
  resp.status = req.body.size() % 600;
  for (const auto& [name, value] : req.headers) resp.headers.emplace_back(wire::CanonicalKey(name), value);
  resp.body = req.body;
  (void)wire::FormatReply(resp, framing);
  bool chunked = false;
  (void)wire::FormatStreamHead(resp.status, resp.headers, framing, &chunked);
  (void)wire::FormatChunk(req.query);

  auto path = api::DecodeRequestPath(req);
  if (path.ok()) (void)api::MuxCleanRedirect(req.method, *path, req.query);
  (void)req.Header("Host");
}

std::string Summary(const http::Request& req, const http::wire::Framing& framing) {
  std::string s = req.method + " " + req.path + " ? " + req.query + (framing.http10 ? " 1.0" : " 1.1") +
                  (framing.keep_alive ? " keep-alive" : " close") + (req.body_too_large ? " too-large" : "");
  for (const auto& [name, value] : req.headers) s += "\n" + name + ": " + value;
  return s + "\n\n" + req.body;
}

// Reads `bytes` as a Session does, `piece` bytes at a time at most.
Outcome Feed(std::string_view bytes, size_t piece) {
  const http::ServerOptions options;
  // The size of a Session's buffer: a head at its limit plus 64 KB of pipelined bytes.
  boost::beast::flat_buffer in(options.max_header_bytes + http::internal::kHeaderSlack + 64 * 1024);
  RequestParser parser(options);
  Outcome out;
  while (true) {
    const RequestParser::Event event = parser.Parse(in);
    if (event == RequestParser::Event::kHead) {
      if (parser.ExpectsContinue()) out.requests.push_back("100-continue");
      continue;
    }
    if (event == RequestParser::Event::kDone || event == RequestParser::Event::kTooLarge) {
      http::wire::Framing framing;
      http::Request req = parser.Take(event == RequestParser::Event::kTooLarge, "127.0.0.1:41000", &framing);
      Answer(req, framing);
      out.requests.push_back(Summary(req, framing));
      if (!framing.keep_alive) {
        out.end = "closed";
        return out;
      }
      continue;
    }
    if (event == RequestParser::Event::kRefused) {
      out.end = "refused: " + std::string(parser.Refusal());
      return out;
    }
    if (bytes.empty()) {
      out.end = parser.started() ? "eof in a request" : "eof";
      return out;
    }
    const size_t n = std::min({piece, bytes.size(), in.max_size() - in.size()});
    // A parser that wants more while the buffer is full would stall the connection.
    FUZZ_CHECK(n > 0);
    in.commit(boost::asio::buffer_copy(in.prepare(n), boost::asio::buffer(bytes.data(), n)));
    bytes.remove_prefix(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Outcome whole = Feed(bytes, 16 * 1024);
  const Outcome pieces = Feed(bytes, 1 + size % 7);
  if (!(whole == pieces)) {
    for (const Outcome* o : {&whole, &pieces}) {
      std::fprintf(stderr, "--- %s:\n", o == &whole ? "read whole" : "read in pieces");
      for (const std::string& r : o->requests) std::fprintf(stderr, "%s\n--\n", r.c_str());
      std::fprintf(stderr, "end: %s\n", o->end.c_str());
    }
    fuzz::Fail("the same bytes read in pieces gave other requests");
  }
  return 0;
}
