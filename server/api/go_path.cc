// Go's path cleaning, URL unescaping and ServeMux redirects (see go_path.h).
#include "server/api/go_path.h"

#include <algorithm>

#include "common/go_quote.h"

namespace api {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";
constexpr char kLowerHex[] = "0123456789abcdef";

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsControlByte(unsigned char c) { return c < 0x20 || c == 0x7f; }

void AppendHexByte(std::string* out, const char* digits, unsigned char b) {
  out->push_back(digits[b >> 4]);
  out->push_back(digits[b & 15]);
}

// Go's shouldEscape(c, encodePath): unreserved and most sub-delims stay.
bool KeepInPath(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '_': case '.': case '~':
    case '$': case '&': case '+': case ',': case '/': case ':': case ';': case '=': case '@':
      return true;
    default:
      return false;
  }
}

// Go's URL.EscapedPath for a URL without RawPath.
std::string EscapePath(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    if (KeepInPath(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      AppendHexByte(&out, kUpperHex, c);
    }
  }
  return out;
}

// net/http's hexEscapeNonASCII (lower-case hex, unlike URL escaping).
std::string HexEscapeNonAscii(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      AppendHexByte(&out, kLowerHex, c);
    }
  }
  return out;
}

// net/http's htmlEscape.
std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Whether GoMuxCleanPath(p) == p, without building it (the usual case): p is
// rooted and no element but a trailing empty one is "", "." or "..".
bool IsMuxClean(std::string_view p) {
  if (p.empty() || p[0] != '/') return false;
  size_t start = 1;
  while (true) {
    const size_t end = std::min(p.find('/', start), p.size());
    const std::string_view element = p.substr(start, end - start);
    if (element == "." || element == "..") return false;
    if (end == p.size()) return true;  // the last element may be empty
    if (element.empty()) return false;
    start = end + 1;
  }
}

}  // namespace

std::string GoPathClean(std::string_view p) {
  if (p.empty()) return ".";
  const bool rooted = p[0] == '/';
  const size_t n = p.size();
  std::string out;
  out.reserve(n);
  size_t r = 0, dotdot = 0;  // dotdot: where a ".." may no longer backtrack
  if (rooted) {
    out.push_back('/');
    r = dotdot = 1;
  }
  while (r < n) {
    if (p[r] == '/') {
      ++r;
    } else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
      ++r;
    } else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
      r += 2;
      if (out.size() > dotdot) {
        // Drop the last element and the separator before it.
        size_t w = out.size() - 1;
        while (w > dotdot && out[w] != '/') --w;
        out.resize(w);
      } else if (!rooted) {
        if (!out.empty()) out.push_back('/');
        out += "..";
        dotdot = out.size();
      }
    } else {
      if ((rooted && out.size() != 1) || (!rooted && !out.empty())) out.push_back('/');
      for (; r < n && p[r] != '/'; ++r) out.push_back(p[r]);
    }
  }
  if (out.empty()) return ".";
  return out;
}

std::string GoMuxCleanPath(std::string_view p) {
  if (p.empty()) return "/";
  std::string rooted = p[0] == '/' ? std::string(p) : "/" + std::string(p);
  std::string clean = GoPathClean(rooted);
  if (rooted.back() == '/' && clean != "/") clean.push_back('/');
  return clean;
}

common::Result<std::string> GoUnescape(std::string_view s, UnescapeMode mode) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) {
        return common::Status::InvalidArgument("invalid URL escape " + common::GoQuote(s.substr(i, 3)));
      }
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 3;
    } else {
      out.push_back(c == '+' && mode == UnescapeMode::kQueryComponent ? ' ' : c);
      ++i;
    }
  }
  return out;
}

common::Result<std::string> DecodeRequestPath(const http::Request& r) {
  for (std::string_view part : {std::string_view(r.path), std::string_view(r.query)}) {
    for (char c : part) {
      if (IsControlByte(static_cast<unsigned char>(c))) {
        return common::Status::InvalidArgument("net/url: invalid control character in URL");
      }
    }
  }
  return GoUnescape(r.path, UnescapeMode::kPath);
}

http::Response BadRequestResponse() {
  http::Response resp;
  resp.status = 400;
  resp.headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"Connection", "close"}};
  resp.body = "400 Bad Request";
  return resp;
}

std::optional<http::Response> MuxCleanRedirect(const std::string& method,
                                               const std::string& decoded_path,
                                               const std::string& raw_query) {
  if (IsMuxClean(decoded_path)) return std::nullopt;
  const std::string clean = GoMuxCleanPath(decoded_path);
  if (clean == decoded_path) return std::nullopt;
  std::string url = EscapePath(clean);
  if (!raw_query.empty()) url += "?" + raw_query;

  http::Response resp;
  resp.status = 301;
  resp.headers.emplace_back("Location", HexEscapeNonAscii(url));
  if (method == "GET" || method == "HEAD") {
    resp.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  }
  if (method == "GET") resp.body = "<a href=\"" + HtmlEscape(url) + "\">Moved Permanently</a>.\n\n";
  return resp;
}

}  // namespace api
