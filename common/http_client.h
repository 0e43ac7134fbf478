// Outgoing HTTP requests: what the discovery agent, the CLI, discovery and the
// proxy use to talk to etcd-style servers. A thin layer over cpp-httplib so the
// rest of the code sees Result values, never httplib types or exceptions.
//
// Each call opens its own connection (callers here make few requests; the
// Raft transport, which makes many, keeps its own persistent clients).
// Thread-safe: calls share no state.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace common {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first value of header `name` (case-insensitive), or "".
  std::string Header(const std::string& name) const;
};

struct HttpOptions {
  // Bounds connecting, and each read or write; a long poll needs a long one.
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(1)};
  std::string proxy;  // "http://host:port" sends the request through that proxy
  HttpHeaders headers;
  // TLS for https URLs: files in PEM; an empty ca_file uses the system's CAs.
  std::string ca_file, cert_file, key_file;
  bool insecure_skip_verify = false;
};

// "scheme://host:port" and "/path?query" of an absolute http(s) URL.
struct SplitUrl {
  std::string base;
  std::string target;  // "/" when the URL has no path
};
Result<SplitUrl> SplitHttpUrl(const std::string& url);

// One request. A transport failure (refused, timeout, bad URL) is an error
// Status with a message naming the URL and the reason; any HTTP answer,
// whatever its status code, is a response.
Result<HttpResponse> HttpDo(const std::string& method, const std::string& url, const std::string& body = "",
                            const std::string& content_type = "", const HttpOptions& options = {});

// HttpDo for an answer too large to hold: the body of a 200 answer goes to
// `sink` piece by piece as it arrives (returning false aborts the transfer,
// an error); that of any other answer is read into the response. options.timeout
// bounds each read, not the whole transfer.
using BodySink = std::function<bool(std::string_view)>;
Result<HttpResponse> HttpDoStreaming(const std::string& method, const std::string& url, const HttpOptions& options,
                                     const BodySink& sink);

// Percent-encodes s for a query value or form field (Go's url.QueryEscape).
std::string QueryEscape(const std::string& s);

}  // namespace common
