// Request parsing within limits; see request_parser.h.
#include "server/http/request_parser.h"

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include <boost/beast/http/error.hpp>

namespace http::internal {
namespace {

namespace bhttp = boost::beast::http;

// A body's declared length is reserved up to this; larger bodies grow as
// their bytes arrive, so a head alone cannot claim much memory.
constexpr std::uint64_t kMaxBodyReserve = 64 * 1024;

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Splits a request-target into raw path and raw query; an absolute-form
// target ("http://host/p?q") loses its scheme and authority, as in Go.
void SplitTarget(std::string_view t, Request* req) {
  if (t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0) {
    std::size_t authority = t.find("//") + 2;
    std::size_t path = t.find_first_of("/?", authority);
    t = path == std::string_view::npos ? std::string_view() : t.substr(path);
  }
  std::size_t q = t.find('?');
  req->path = std::string(t.substr(0, q));
  if (q != std::string_view::npos) req->query = std::string(t.substr(q + 1));
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

ParseLimits ParseLimits::For(const ServerOptions& options) {
  return {options.max_header_bytes + kHeaderSlack, options.max_header_fields,
          options.max_request_line, options.max_body_bytes};
}

RequestParser::RequestParser(const ParseLimits& limits) : limits_(limits) {
  header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  body_limit(limits.max_body_bytes);
}

bool RequestParser::RequestLineFits(boost::asio::const_buffer data) {
  if (line_checked_ || limits_.max_request_line == 0) return true;
  const char* p = static_cast<const char*>(data.data());
  std::size_t n = std::min(data.size(), limits_.max_request_line);
  if (std::memchr(p, '\n', n) != nullptr) {
    line_checked_ = true;
    return true;
  }
  return data.size() < limits_.max_request_line;
}

std::size_t RequestParser::Put(boost::asio::const_buffer data, bool* need_more,
                               ParseError* error) {
  *need_more = false;
  *error = ParseError::kNone;
  if (!RequestLineFits(data)) {
    *error = ParseError::kUriTooLong;
    return 0;
  }
  error_code ec;
  std::size_t used = put(data, ec);
  *need_more = ec == bhttp::error::need_more;
  if (!ec || *need_more) return used;
  if (too_many_fields_ || ec == bhttp::error::header_limit) {
    *error = ParseError::kHeaderTooLarge;
  } else if (ec == bhttp::error::body_limit) {
    *error = ParseError::kBodyTooLarge;
  } else if (ec == bhttp::error::bad_transfer_encoding) {
    *error = ParseError::kBadTransferEncoding;
  } else {
    *error = ParseError::kBadRequest;
  }
  return used;
}

RequestParser::Event RequestParser::Parse(boost::beast::flat_buffer& in) {
  ParseError error = ParseError::kNone;
  while (in.size() > 0 && !done()) {
    bool need_more = false;
    std::size_t used = Put(in.data(), &need_more, &error);
    in.consume(used);
    if (error != ParseError::kNone) break;
    if (!head_checked_ && header_done()) {
      head_checked_ = true;
      refusal_ = CheckHead();
      if (!refusal_.empty()) return Event::kRefused;
      if (!done()) return Event::kHead;
    }
    if (need_more || used == 0) break;
  }
  switch (error) {
    case ParseError::kNone:
      break;
    case ParseError::kBodyTooLarge:
      return Event::kTooLarge;
    case ParseError::kHeaderTooLarge:
      refusal_ = wire::kHeaderTooLarge;
      return Event::kRefused;
    case ParseError::kUriTooLong:
      refusal_ = wire::kUriTooLong;
      return Event::kRefused;
    case ParseError::kBadTransferEncoding:
      refusal_ = wire::kUnsupportedTransferEncoding;
      return Event::kRefused;
    case ParseError::kBadRequest:
      refusal_ = wire::kBadRequest;
      return Event::kRefused;
  }
  if (done()) return Event::kDone;
  if (in.size() >= in.max_size()) {
    // One element does not fit the buffer: the head (the header limit
    // usually says so first), a chunk's size line or the trailers.
    refusal_ = head_checked_ ? wire::kBadRequest : wire::kHeaderTooLarge;
    return Event::kRefused;
  }
  return Event::kNeedMore;
}

std::string_view RequestParser::CheckHead() const {
  if (version_ < 11) return {};
  if (hosts_ == 0) return wire::kMissingHost;
  if (hosts_ > 1) return wire::kTooManyHosts;
  return {};
}

bool RequestParser::ExpectsContinue() const {
  return version_ >= 11 && EqualsNoCase(request_.Header("Expect"), "100-continue");
}

Request RequestParser::Take(bool body_too_large, std::string remote_addr, wire::Framing* framing) {
  Request req = std::move(request_);
  if (body_too_large) req.body.clear();  // what a chunked body brought so far
  req.body_too_large = body_too_large;
  req.remote_addr = std::move(remote_addr);
  framing->http10 = version_ < 11;
  framing->head = req.method == "HEAD";
  // The unread rest of a too-large body makes the connection unusable.
  framing->keep_alive = !body_too_large && keep_alive();
  return req;
}

void RequestParser::on_request_impl(verb, string_view method_str, string_view target,
                                    int version, error_code&) {
  request_.method = std::string(View(method_str));
  SplitTarget(View(target), &request_);
  version_ = version;
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = bhttp::error::bad_method;  // never called for requests
}

void RequestParser::on_field_impl(field name, string_view name_string, string_view value,
                                  error_code& ec) {
  if (limits_.max_header_fields > 0 && ++fields_ > limits_.max_header_fields) {
    too_many_fields_ = true;
    ec = bhttp::error::header_limit;
    return;
  }
  if (is_header_done()) return;  // a trailer field: no handler reads them
  if (name == field::host) ++hosts_;
  request_.headers.emplace_back(std::string(View(name_string)), std::string(View(value)));
}

void RequestParser::on_header_impl(error_code&) {}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      error_code&) {
  if (content_length) {
    request_.body.reserve(static_cast<std::size_t>(std::min(*content_length, kMaxBodyReserve)));
  }
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

void RequestParser::on_finish_impl(error_code&) {}

}  // namespace http::internal
