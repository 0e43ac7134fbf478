// One HTTP/1.x request parsed straight into an http::Request, within limits
// that a hostile client cannot get past. Beast's basic_parser does the syntax;
// this class keeps the fields itself (Beast's own field store throws
// std::length_error on a value of 64 KiB or more) and counts them, checks the
// request line before the head is complete, and drops trailer fields.
// Private to server/http: only session.h includes it (Beast is slow to compile).
//
// Threads: one parser per connection, used on its I/O thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>

#include "server/http/http.h"

namespace http::internal {

struct ParseLimits {
  std::size_t max_header_bytes = 0;   // request line, fields and end of head
  std::size_t max_header_fields = 0;  // fields plus trailer fields; 0: none
  std::size_t max_request_line = 0;   // with its CRLF; 0: max_header_bytes only
  std::uint64_t max_body_bytes = 0;
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
  explicit RequestParser(const ParseLimits& limits);

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
};

}  // namespace http::internal
