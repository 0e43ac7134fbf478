// What Go's net/http and net/url do with a request path before etcd's handlers
// run: percent-decoding (url.ParseRequestURI), path.Clean, and ServeMux's 301
// redirect of unclean paths. etcd 3.4 (Go 1.19) behaviour, reproduced byte for
// byte because clients see it (shared/spec/keys-api.md §2).
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/http/http.h"

namespace api {

// Go's path.Clean: one slash between elements, no "." elements, ".." removes
// the element before it and cannot climb above a rooted path; "" -> ".".
std::string GoPathClean(std::string_view p);

// Go's ServeMux canonical form of a decoded path: rooted, cleaned, and keeping
// a trailing slash ("/a//b/" -> "/a/b/", "" -> "/").
std::string GoMuxCleanPath(std::string_view p);

enum class UnescapeMode {
  kPath,            // url.PathUnescape: '+' stays '+'
  kQueryComponent,  // url.QueryUnescape: '+' becomes ' '
};

// Go's url unescaping. A '%' not followed by two hex digits fails with Go's
// error text, e.g. `invalid URL escape "%zz"` (the bad escape, at most 3 bytes,
// quoted like strconv.Quote). Decoded bytes are not checked for UTF-8.
common::Result<std::string> GoUnescape(std::string_view s, UnescapeMode mode);

// The decoded path of a request, as Go's url.ParseRequestURI yields it
// (r.URL.Path). Fails (answer BadRequestResponse()) when the path holds a bad
// escape, or the path or query holds a control byte (< 0x20 or 0x7f). "%2F"
// decodes to '/', "%00" to a NUL byte: etcd accepts both in keys.
common::Result<std::string> DecodeRequestPath(const http::Request& r);

// Go's server answer to a request target it cannot parse:
// 400, "Content-Type: text/plain; charset=utf-8", "Connection: close",
// body "400 Bad Request". (Go sends neither Date nor Content-Length here.)
http::Response BadRequestResponse();

// Go's ServeMux redirect for an unclean path: when GoMuxCleanPath(decoded_path)
// differs from decoded_path, the 301 that http.Redirect writes. Location is the
// cleaned path re-escaped (Go's URL.EscapedPath) plus "?" + the raw query when
// it is non-empty; GET and HEAD get "Content-Type: text/html; charset=utf-8",
// GET also the HTML body `<a href="...">Moved Permanently</a>.\n\n`.
// nullopt when the path is clean. CORS headers are the caller's business.
std::optional<http::Response> MuxCleanRedirect(const std::string& method,
                                               const std::string& decoded_path,
                                               const std::string& raw_query);

}  // namespace api
