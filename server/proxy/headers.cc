#include "server/proxy/headers.h"

#include <strings.h>

#include <array>

namespace proxy {
namespace {

bool NameIs(std::string_view name, std::string_view want) {
  return name.size() == want.size() && strncasecmp(name.data(), want.data(), name.size()) == 0;
}

}  // namespace

bool IsHopByHop(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kHopByHop = {
      "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
      "Te",         "Trailers",   "Transfer-Encoding",  "Upgrade"};
  for (std::string_view h : kHopByHop) {
    if (NameIs(name, h)) return true;
  }
  return false;
}

std::string ClientIp(const std::string& remote_addr) {
  if (!remote_addr.empty() && remote_addr.front() == '[') {
    size_t close = remote_addr.find("]:");
    return close == std::string::npos ? "" : remote_addr.substr(1, close - 1);
  }
  size_t colon = remote_addr.rfind(':');
  if (colon == std::string::npos || remote_addr.find(':') != colon) return "";
  return remote_addr.substr(0, colon);
}

http::Headers UpstreamHeaders(const http::Request& req) {
  http::Headers out;
  std::string forwarded_for;
  for (const auto& [name, value] : req.headers) {
    if (IsHopByHop(name) || NameIs(name, "Content-Length") || NameIs(name, "Expect")) continue;
    if (NameIs(name, "X-Forwarded-For")) {
      forwarded_for += (forwarded_for.empty() ? "" : ", ") + value;
      continue;
    }
    out.emplace_back(name, value);
  }
  std::string ip = ClientIp(req.remote_addr);
  if (ip.empty()) {
    // Only a socket-less request has no address: nothing to append.
    if (!forwarded_for.empty()) out.emplace_back("X-Forwarded-For", forwarded_for);
    return out;
  }
  out.emplace_back("X-Forwarded-For", forwarded_for.empty() ? ip : forwarded_for + ", " + ip);
  return out;
}

http::Headers RelayedHeaders(const http::Headers& upstream) {
  http::Headers out;
  for (const auto& [name, value] : upstream) {
    if (!IsHopByHop(name)) out.emplace_back(name, value);
  }
  return out;
}

}  // namespace proxy
