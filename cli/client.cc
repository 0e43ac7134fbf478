#include "cli/client.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "cli/members.h"
#include "common/base64.h"
#include "common/go_quote.h"

namespace cli {

using Clock = std::chrono::steady_clock;

static constexpr char kNoEndpoints[] = "client: no endpoints available";
static constexpr char kDeadline[] = "context deadline exceeded";
// A long poll waits as long as it takes; this only bounds a dead server.
static constexpr std::chrono::hours kWaitTimeout{24};

// Go's context.DeadlineExceeded, which etcdctl counts as a connection error.
static CtlError DeadlineError() {
  CtlError e{kDeadline};
  e.connection = true;
  return e;
}

std::string CtlError::Text() const {
  if (!cluster) return message;
  std::string s = "client: etcd cluster is unavailable or misconfigured";
  for (size_t i = 0; i < errors.size(); ++i) s += "; error #" + std::to_string(i) + ": " + errors[i] + "\n";
  return s;
}

std::string CtlError::Detail() const {
  std::string s;
  for (size_t i = 0; i < errors.size(); ++i) s += "error #" + std::to_string(i) + ": " + errors[i] + "\n";
  return s;
}

// etcd's client starts from a random order, so load spreads over the endpoints.
static std::vector<std::string> Shuffled(std::vector<std::string> v) {
  std::shuffle(v.begin(), v.end(), std::mt19937(std::random_device{}()));
  return v;
}

Client::Client(std::vector<std::string> endpoints, ClientOptions options)
    : endpoints_(Shuffled(std::move(endpoints))), options_(std::move(options)) {
  StartDeadline();
}

void Client::StartDeadline() {
  deadline_ = options_.total_timeout.count() > 0
                  ? Clock::now() + std::chrono::duration_cast<Clock::duration>(options_.total_timeout)
                  : Clock::time_point::max();
}

// "host:port" as Go dials it.
static std::string DialAddress(const std::string& url) {
  size_t start = url.find("://");
  std::string scheme = start == std::string::npos ? "http" : url.substr(0, start);
  std::string host = url.substr(start == std::string::npos ? 0 : start + 3);
  host = host.substr(0, host.find('/'));
  size_t bracket = host.rfind(']');
  size_t colon = host.rfind(':');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) {
    host += scheme == "https" ? ":443" : ":80";
  }
  return host;
}

// cpp-httplib's name of what failed: the last word of HttpDo's message.
static std::string FailureKind(const common::Status& s) {
  const std::string& m = s.message();
  size_t colon = m.rfind(": ");
  return colon == std::string::npos ? m : m.substr(colon + 2);
}

std::string TransportErrorText(const std::string& url, const common::Status& s) {
  if (FailureKind(s) == "Connection") return "dial tcp " + DialAddress(url) + ": connect: connection refused";
  if (FailureKind(s) == "ConnectionTimeout") return "dial tcp " + DialAddress(url) + ": i/o timeout";
  return s.message();
}

static std::string StatusText(int code) {
  switch (code) {
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

CtlResult<common::HttpResponse> Client::DoOne(const std::string& endpoint, const Request& request, bool* give_up) {
  std::string url = endpoint + request.target;
  if (options_.debug) {
    std::string cmd = "curl -X " + request.method + " " + url;
    if (!request.body.empty() || request.method == "PUT" || request.method == "POST") {
      cmd += " -d " + common::GoQuote(request.body);
    }
    fprintf(stderr, "cURL Command: %s\n", cmd.c_str());
  }
  auto timeout = request.wait ? std::chrono::duration_cast<std::chrono::nanoseconds>(kWaitTimeout)
                              : options_.request_timeout;
  bool total_limits = false;
  if (!request.wait && deadline_ != Clock::time_point::max()) {
    auto remaining = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline_ - Clock::now());
    if (remaining.count() <= 0) {
      *give_up = true;
      return DeadlineError();
    }
    if (remaining <= timeout) {
      timeout = remaining;
      total_limits = true;
    }
  }
  common::HttpOptions http;
  http.timeout = std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
  http.connect_timeout = request.wait ? std::chrono::milliseconds(30000) : http.timeout;
  http.ca_file = options_.ca_file;
  http.cert_file = options_.cert_file;
  http.key_file = options_.key_file;
  if (!options_.authorization.empty()) http.headers.emplace_back("Authorization", options_.authorization);
  auto r = common::HttpDo(request.method, url, request.body, request.content_type, http);
  if (r.ok()) return std::move(r).value();

  std::string kind = FailureKind(r.status());
  CtlError e;
  if (kind == "Connection") {
    e.message = TransportErrorText(endpoint, r.status());
    e.connection = true;
  } else if (kind == "ConnectionTimeout" || kind == "Read") {
    if (total_limits) {
      *give_up = true;
      e = DeadlineError();
    } else {
      e.message = "client: endpoint " + endpoint + " exceeded header timeout";
    }
  } else {
    e.message = r.status().message();
  }
  return e;
}

CtlResult<common::HttpResponse> Client::Do(const Request& request) {
  if (endpoints_.empty()) return CtlError{kNoEndpoints};
  CtlError cluster_error;
  cluster_error.cluster = true;
  cluster_error.connection = true;
  size_t n = endpoints_.size();
  for (size_t i = 0; i < n; ++i) {
    size_t k = (pinned_ + i) % n;
    bool give_up = false;
    CtlResult<common::HttpResponse> r = DoOne(endpoints_[k], request, &give_up);
    if (!r.ok()) {
      if (give_up || request.one_shot) return r.error;
      cluster_error.errors.push_back(r.error.message);
      cluster_error.connection = cluster_error.connection && r.error.connection;
      continue;
    }
    int status = r.value->status;
    if (status / 100 == 5) {
      std::string e = status == 500 || status == 503
                          ? "client: etcd member " + endpoints_[k] + " has no leader"
                          : "client: etcd member " + endpoints_[k] + " returns server error [" + StatusText(status) + "]";
      if (request.one_shot) return CtlError{e};
      cluster_error.errors.push_back(e);
      cluster_error.connection = false;
      continue;
    }
    pinned_ = k;
    return r;
  }
  return cluster_error;
}

CtlResult<bool> Client::Sync() {
  CtlResult<common::HttpResponse> r = Do({"GET", "/v2/members", "", "", false, false});
  if (!r.ok()) return r.error;
  if (r.value->status != 200) return CtlError{"unexpected status code " + std::to_string(r.value->status)};
  auto members = ParseMemberList(r.value->body);
  if (!members.ok()) return CtlError{members.status().message()};
  std::vector<std::string> urls;
  for (const Member& m : *members) urls.insert(urls.end(), m.client_urls.begin(), m.client_urls.end());
  std::sort(urls.begin(), urls.end());
  std::vector<std::string> current = endpoints_;
  std::sort(current.begin(), current.end());
  if (urls == current) return true;
  if (urls.empty()) return CtlError{kNoEndpoints};
  endpoints_ = Shuffled(urls);
  pinned_ = 0;
  return true;
}

std::string BasicAuthorization(const std::string& user, const std::string& password) {
  return "Basic " + common::Base64Encode(user + ":" + password);
}

std::vector<std::string> NormalizeEndpoints(const std::string& comma_separated) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = comma_separated.find(',', start);
    std::string ep = comma_separated.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (ep.find("://") == std::string::npos) ep = "http://" + ep;
    out.push_back(ep);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace cli
