// Beast's request parser as the server configures it; see request_parser.h.
#include "server/http/request_parser.h"

#include <strings.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <utility>

#include <boost/beast/http/error.hpp>

namespace http::internal {
namespace {

namespace bhttp = boost::beast::http;

std::string ToString(boost::beast::string_view s) { return std::string(s.data(), s.size()); }

bool EqualsNoCase(boost::beast::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Splits a request-target into raw path and raw query; an absolute-form
// target ("http://host/p?q") loses its scheme and authority, as in Go.
void SplitTarget(boost::beast::string_view target, Request* req) {
  std::string_view t(target.data(), target.size());
  if (t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0) {
    std::size_t authority = t.find("//") + 2;
    std::size_t path = t.find_first_of("/?", authority);
    t = path == std::string_view::npos ? std::string_view() : t.substr(path);
  }
  std::size_t q = t.find('?');
  req->path = std::string(t.substr(0, q));
  if (q != std::string_view::npos) req->query = std::string(t.substr(q + 1));
}

}  // namespace

void RequestParser::Begin() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options_.max_header_bytes + kHeaderSlack, UINT32_MAX)));
  parser_->body_limit(options_.max_body_bytes);
  header_done_ = false;
  refusal_ = {};
}

RequestParser::Event RequestParser::Parse(boost::beast::flat_buffer& in) {
  if (!parser_) {
    if (in.size() == 0) return Event::kNeedMore;
    Begin();
  }
  boost::beast::error_code ec;
  while (in.size() > 0 && !parser_->is_done()) {
    std::size_t used = parser_->put(in.data(), ec);
    in.consume(used);
    if (ec == bhttp::error::need_more) break;
    if (ec == bhttp::error::body_limit) return Event::kTooLarge;
    if (ec) {
      refusal_ = ec == bhttp::error::header_limit            ? wire::kHeaderTooLarge
                 : ec == bhttp::error::bad_transfer_encoding ? wire::kUnsupportedTransferEncoding
                                                             : wire::kBadRequest;
      return Event::kRefused;
    }
    if (!header_done_ && parser_->is_header_done()) {
      header_done_ = true;
      refusal_ = CheckHead();
      if (!refusal_.empty()) return Event::kRefused;
      if (!parser_->is_done()) return Event::kHead;
    }
    if (used == 0) break;
  }
  if (parser_->is_done()) return Event::kDone;
  if (!header_done_ && in.size() >= in.max_size()) {
    refusal_ = wire::kHeaderTooLarge;
    return Event::kRefused;
  }
  return Event::kNeedMore;
}

std::string_view RequestParser::CheckHead() const {
  const auto& msg = parser_->get();
  if (msg.version() < 11) return {};
  std::size_t hosts = msg.count(bhttp::field::host);
  if (hosts == 0) return wire::kMissingHost;
  if (hosts > 1) return wire::kTooManyHosts;
  return {};
}

bool RequestParser::ExpectsContinue() const {
  const auto& msg = parser_->get();
  return msg.version() >= 11 && EqualsNoCase(msg[bhttp::field::expect], "100-continue");
}

Request RequestParser::Take(bool body_too_large, std::string remote_addr, wire::Framing* framing) {
  auto& msg = parser_->get();
  Request req;
  req.method = ToString(msg.method_string());
  SplitTarget(msg.target(), &req);
  req.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& field : msg) {
    req.headers.emplace_back(ToString(field.name_string()), ToString(field.value()));
  }
  if (!body_too_large) req.body = std::move(msg.body());
  req.body_too_large = body_too_large;
  req.remote_addr = std::move(remote_addr);

  framing->http10 = msg.version() < 11;
  framing->head = req.method == "HEAD";
  // The unread rest of a too-large body makes the connection unusable.
  framing->keep_alive = msg.keep_alive() && !body_too_large;
  parser_.reset();
  return req;
}

}  // namespace http::internal
