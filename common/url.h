// URL parsing and validation with etcd's rules for member and client URLs.
//
// etcd accepts a URL only if its scheme is http, https, unix or unixs, its host
// part has the form "host:port" (IPv6 hosts in brackets) and it has no path.
// The error texts below are the ones etcd prints, because operators and
// scripts see them. Lists are sorted by their string form, as etcd sorts them
// before hashing member IDs. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace common {

struct Url {
  std::string scheme;    // lower case: http, https, unix or unixs
  std::string userinfo;   // "user:pass" or "", without the '@'
  std::string host_port;  // as given, e.g. "[::1]:2380" or "localhost:2379"
  std::string host;       // host_port's host without brackets; may be ""
  std::string port;       // digits; may be "" ("http://h:" is valid, as in etcd)
  std::string suffix;     // "?query" and/or "#fragment" exactly as given

  // The normalised form, e.g. "http://127.0.0.1:2380".
  std::string String() const;

  bool operator==(const Url& o) const { return String() == o.String(); }
  bool operator!=(const Url& o) const { return !(*this == o); }
};

// Parses one URL with etcd's checks. Surrounding spaces are trimmed first.
// Errors (exact texts):
//   URL scheme must be http, https, unix, or unixs: <u>
//   URL address does not have the form "host:port": <u>
//   URL must not contain a path: <u>
//   parse "<u>": <reason>   (syntax errors, worded like Go's net/url)
Result<Url> ParseUrl(const std::string& in);

// Parses every element (etcd's types.NewURLs) and returns them sorted by their
// string form. An empty list is "no valid URLs given".
Result<std::vector<Url>> ParseUrlList(const std::vector<std::string>& in);

// Splits a comma-separated list ("a,b") and parses it like ParseUrlList.
Result<std::vector<Url>> ParseUrls(const std::string& comma_separated);

// The string forms, sorted bytewise: the input of member-ID hashing.
std::vector<std::string> SortedUrlStrings(const std::vector<Url>& urls);

// The string forms joined by ",", in the given order.
std::string JoinUrls(const std::vector<Url>& urls);

}  // namespace common
