// One HTTP/1.x request parsed straight into an http::Request, within limits
// that a hostile client cannot get past. Beast's basic_parser does the syntax;
// this class keeps the fields itself (Beast's own field store throws
// std::length_error on a value of 64 KiB or more) and counts them, checks the
// request line before the head is complete, and drops trailer fields. Parse
// adds Go's refusals (400, 414, 431, 501, Host checks) and Take the answer's
// framing. Private to server/http; no I/O, so the bytes a client may send are
// tested (and fuzzed) without sockets. A Session feeds one what it reads.
//
// Threads: one parser per connection, used on its I/O thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include "server/http/http.h"
#include "server/http/wire.h"

namespace http::internal {

// Go reads up to MaxHeaderBytes plus this slack before it answers 431.
inline constexpr std::size_t kHeaderSlack = 4096;

struct ParseLimits {
  std::size_t max_header_bytes = 0;   // request line, fields and end of head
  std::size_t max_header_fields = 0;  // fields plus trailer fields; 0: none
  std::size_t max_request_line = 0;   // with its CRLF; 0: max_header_bytes only
  std::uint64_t max_body_bytes = 0;

  // The limits a server with `options` parses its requests under.
  static ParseLimits For(const ServerOptions& options);
};

// Why a request was refused; kNone while it is fine so far.
enum class ParseError {
  kNone,
  kHeaderTooLarge,         // head over its byte or field limit: 431
  kUriTooLong,             // request line over its limit: 414
  kBodyTooLarge,           // body over its limit (the head is complete)
  kBadTransferEncoding,    // 501
  kBadRequest,             // any other syntax error: 400
};

class RequestParser : private boost::beast::http::basic_parser<true> {
 public:
  // What Parse came to.
  enum class Event {
    kNeedMore,  // everything buffered is used: read more
    kHead,      // the head is complete and accepted; its body follows (Parse again)
    kDone,      // a whole request: Take() it
    kTooLarge,  // the body is over max_body_bytes: Take() it without
    kRefused,   // not a request we answer: send Refusal() and close
  };

  explicit RequestParser(const ParseLimits& limits);

  // Parses what `in` holds, consuming what it used, up to the next event. A
  // head that fills `in` up to its max_size is refused (431), as is any
  // other element of a request (400).
  Event Parse(boost::beast::flat_buffer& in);
  // Go's answer to a refused request (wire::kBadRequest, ...); after kRefused.
  std::string_view Refusal() const { return refusal_; }
  // After kHead: the client waits for "100 Continue" before sending its body.
  bool ExpectsContinue() const;
  // After kDone or kTooLarge: the request (its body dropped when too large)
  // and how to frame its answer. The parser is then spent.
  Request Take(bool body_too_large, std::string remote_addr, wire::Framing* framing);

  // Parses what it can of `data`; returns the bytes used. Bytes left over
  // belong to the next request, or to a later call when *need_more is set
  // (an incomplete element). After an error, the parser must not be used
  // again.
  std::size_t Put(boost::asio::const_buffer data, bool* need_more, ParseError* error);

  // True once the request line and fields were parsed.
  bool header_done() const { return is_header_done(); }
  bool done() const { return is_done(); }
  // Valid once header_done().
  bool keep_alive() const { return basic_parser::keep_alive(); }
  int version() const { return version_; }
  std::size_t host_fields() const { return hosts_; }
  // The request as parsed so far (move it out once done()).
  Request& request() { return request_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;
  using verb = boost::beast::http::verb;

  // False when the request line is over its limit; checks only until the
  // line's end has been seen.
  bool RequestLineFits(boost::asio::const_buffer data);
  // Checks a complete head before its body is read: Go's answer, or "".
  std::string_view CheckHead() const;

  void on_request_impl(verb method, string_view method_str, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  const ParseLimits limits_;
  Request request_;
  int version_ = 11;
  std::size_t fields_ = 0;     // fields and trailer fields seen
  std::size_t hosts_ = 0;      // Host fields seen
  bool line_checked_ = false;  // the request line's end was found within its limit
  bool too_many_fields_ = false;
  bool head_checked_ = false;  // Parse saw the head complete
  std::string_view refusal_;
};

}  // namespace http::internal
