// URL parsing with etcd's (Go net/url + types.NewURLs) acceptance rules.
#include "common/url.h"

#include <algorithm>
#include <cctype>

#include "common/go_quote.h"

namespace common {
namespace {

std::string Trim(const std::string& s) {
  const char* ws = " \t\n\r\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}


Status SyntaxError(const std::string& url, const std::string& reason) {
  return Status::InvalidArgument("parse " + common::GoQuote(url) + ": " + reason);
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// Returns "" when every %-escape in s is well formed, else the bad escape.
std::string BadEscape(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) {
      return s.substr(i, std::min<size_t>(3, s.size() - i));
    }
    i += 2;
  }
  return "";
}

// Go's validOptionalPort: "" or ":" followed by digits only.
bool ValidOptionalPort(const std::string& p) {
  if (p.empty()) return true;
  if (p[0] != ':') return false;
  return std::all_of(p.begin() + 1, p.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Go's url.parseHost checks on the authority's host part.
Status CheckHost(const std::string& url, const std::string& host) {
  std::string colon_port;
  if (!host.empty() && host[0] == '[') {
    size_t close = host.rfind(']');
    if (close == std::string::npos) return SyntaxError(url, "missing ']' in host");
    colon_port = host.substr(close + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    colon_port = host.substr(colon);
  }
  if (!ValidOptionalPort(colon_port)) {
    return SyntaxError(url, "invalid port " + common::GoQuote(colon_port) + " after host");
  }
  std::string bad = BadEscape(host);
  if (!bad.empty()) return SyntaxError(url, "invalid URL escape " + common::GoQuote(bad));
  const std::string allowed = "-._~!$&'()*+,;=:[]<>\"%";
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && allowed.find(c) == std::string::npos) {
      return SyntaxError(url, "invalid character " + common::GoQuote(std::string(1, c)) + " in host name");
    }
  }
  return Status::OK();
}

// Go's net.SplitHostPort; false on any of its errors.
bool SplitHostPort(const std::string& hp, std::string* host, std::string* port) {
  size_t colon;
  if (!hp.empty() && hp[0] == '[') {
    size_t close = hp.find(']');
    if (close == std::string::npos || close + 1 >= hp.size() || hp[close + 1] != ':') return false;
    *host = hp.substr(1, close - 1);
    colon = close + 1;
    if (host->find_first_of("[]") != std::string::npos) return false;
  } else {
    colon = hp.rfind(':');
    if (colon == std::string::npos) return false;
    *host = hp.substr(0, colon);
    if (host->find_first_of(":[]") != std::string::npos) return false;
  }
  *port = hp.substr(colon + 1);
  return port->find_first_of("[]") == std::string::npos;
}

// Go's getScheme: a scheme is [a-zA-Z][a-zA-Z0-9+.-]* followed by ':'.
// Returns false with an error for ":..."; sets *scheme to "" when absent.
Status SplitScheme(const std::string& url, std::string* scheme, std::string* rest) {
  for (size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    if (std::isalpha(static_cast<unsigned char>(c))) continue;
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.') {
      if (i == 0) break;
      continue;
    }
    if (c == ':') {
      if (i == 0) return SyntaxError(url, "missing protocol scheme");
      *scheme = url.substr(0, i);
      std::transform(scheme->begin(), scheme->end(), scheme->begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      *rest = url.substr(i + 1);
      return Status::OK();
    }
    break;
  }
  scheme->clear();
  *rest = url;
  return Status::OK();
}

// Go's url.Parse, reduced to the parts etcd's checks look at. Sets *path.
Status GoParse(const std::string& url, Url* u, std::string* path) {
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return SyntaxError(url, "net/url: invalid control character in URL");
    }
  }
  std::string rest;
  Status s = SplitScheme(url, &u->scheme, &rest);
  if (!s.ok()) return s;
  size_t q = rest.find_first_of("?#");
  if (q != std::string::npos) {
    u->suffix = rest.substr(q);
    rest = rest.substr(0, q);
  }
  if (rest.rfind("/", 0) != 0) {
    // Opaque ("http:x") or relative: no host.
    if (u->scheme.empty() && rest.substr(0, rest.find('/')).find(':') != std::string::npos) {
      return SyntaxError(url, "first path segment in URL cannot contain colon");
    }
    if (!u->scheme.empty()) return Status::OK();  // opaque: never unescaped
  } else if (rest.rfind("//", 0) == 0) {
    std::string authority = rest.substr(2);
    size_t slash = authority.find('/');
    rest = slash == std::string::npos ? "" : authority.substr(slash);
    authority = authority.substr(0, slash);
    size_t at = authority.rfind('@');
    if (at != std::string::npos) {
      u->userinfo = authority.substr(0, at);
      authority = authority.substr(at + 1);
    }
    s = CheckHost(url, authority);
    if (!s.ok()) return s;
    u->host_port = authority;
  }
  std::string bad = BadEscape(rest);
  if (!bad.empty()) return SyntaxError(url, "invalid URL escape " + common::GoQuote(bad));
  *path = rest;
  return Status::OK();
}

}  // namespace

std::string Url::String() const {
  std::string out = scheme + "://";
  if (!userinfo.empty()) out += userinfo + "@";
  return out + host_port + suffix;
}

Result<Url> ParseUrl(const std::string& raw) {
  std::string in = Trim(raw);
  Url u;
  std::string path;
  Status s = GoParse(in, &u, &path);
  if (!s.ok()) return s;
  if (u.scheme != "http" && u.scheme != "https" && u.scheme != "unix" && u.scheme != "unixs") {
    return Status::InvalidArgument("URL scheme must be http, https, unix, or unixs: " + in);
  }
  if (!SplitHostPort(u.host_port, &u.host, &u.port)) {
    return Status::InvalidArgument("URL address does not have the form \"host:port\": " + in);
  }
  if (!path.empty()) return Status::InvalidArgument("URL must not contain a path: " + in);
  return u;
}

Result<std::vector<Url>> ParseUrlList(const std::vector<std::string>& in) {
  if (in.empty()) return Status::InvalidArgument("no valid URLs given");
  std::vector<Url> out;
  out.reserve(in.size());
  for (const std::string& s : in) {
    Result<Url> u = ParseUrl(s);
    if (!u.ok()) return u.status();
    out.push_back(std::move(u).value());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Url& a, const Url& b) { return a.String() < b.String(); });
  return out;
}

Result<std::vector<Url>> ParseUrls(const std::string& comma_separated) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t comma = comma_separated.find(',', start);
    parts.push_back(comma_separated.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return ParseUrlList(parts);
}

std::vector<std::string> SortedUrlStrings(const std::vector<Url>& urls) {
  std::vector<std::string> out;
  out.reserve(urls.size());
  for (const Url& u : urls) out.push_back(u.String());
  std::sort(out.begin(), out.end());
  return out;
}

std::string JoinUrls(const std::vector<Url>& urls) {
  std::string out;
  for (const Url& u : urls) {
    if (!out.empty()) out += ",";
    out += u.String();
  }
  return out;
}

}  // namespace common
