// Bytes to http::Request: Beast's parser under the server's limits, with the
// answers Go's server gives to the requests it refuses. Private to
// server/http; no I/O, so the bytes a client may send are tested (and
// fuzzed) without sockets. A Session owns one and feeds it what it reads.
//
// Threads: one parser per connection, used on its I/O thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/http/http.h"
#include "server/http/wire.h"

namespace http::internal {

// Go reads up to MaxHeaderBytes plus this slack before it answers 431.
inline constexpr std::size_t kHeaderSlack = 4096;

class RequestParser {
 public:
  enum class Event {
    kNeedMore,  // everything buffered is used: read more
    kHead,      // the head is complete and accepted; its body follows (Parse again)
    kDone,      // a whole request: Take() it
    kTooLarge,  // the body is over ServerOptions::max_body_bytes: Take() it without
    kRefused,   // not a request we answer: send Refusal() and close
  };

  explicit RequestParser(const ServerOptions& options) : options_(options) {}

  // Whether a request has begun (bytes of it were parsed, or Begin was called).
  bool started() const { return parser_.has_value(); }
  // Starts the next request (Parse does it too once it has bytes).
  void Begin();
  // Drops the request being read (the connection is closing).
  void Reset() { parser_.reset(); }

  // Parses what `in` holds, consuming what it used, up to the next event. A
  // head that fills `in` up to its max_size is refused (431).
  Event Parse(boost::beast::flat_buffer& in);

  // Go's answer to a refused request (wire::kBadRequest, ...); after kRefused.
  std::string_view Refusal() const { return refusal_; }
  // After kHead: the client waits for "100 Continue" before sending its body.
  bool ExpectsContinue() const;
  bool HeaderDone() const { return header_done_; }

  // After kDone or kTooLarge: the request (its body dropped when too large)
  // and how to frame its answer. The parser is then ready for the next one.
  Request Take(bool body_too_large, std::string remote_addr, wire::Framing* framing);

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  // Checks the head before the body is read: Go's answer, or "" to go on.
  std::string_view CheckHead() const;

  const ServerOptions& options_;
  std::optional<Parser> parser_;  // the request being read
  bool header_done_ = false;
  std::string_view refusal_;
};

}  // namespace http::internal
