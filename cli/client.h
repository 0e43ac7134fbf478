// The cluster client under every kvraftctl command, behaving as etcd's Go v2
// client does for etcdctl: a list of endpoints tried in turn from the pinned
// one (a refused connection, a timeout or a 5xx moves on to the next), one-shot
// requests that never retry, a per-request timeout inside a per-command total
// timeout, cluster sync from /v2/members, and --debug's cURL lines.
// Error texts are the Go client's. Owned and used by the main thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/http_client.h"

namespace cli {

// An error as etcdctl prints it: "Error:  <Text()>", then Detail() for
// cluster errors (one line per endpoint tried).
struct CtlError {
  CtlError(std::string text = "") : message(std::move(text)) {}  // NOLINT: implicit by design
  std::string message;               // the whole text for non-cluster errors
  std::vector<std::string> errors;   // per-endpoint errors of a cluster error
  bool cluster = false;
  bool connection = false;           // every cause was a refused or timed-out connection
  std::string Text() const;
  std::string Detail() const;
};

template <typename T>
struct CtlResult {
  CtlResult(T v) : value(std::move(v)) {}             // NOLINT: implicit by design
  CtlResult(CtlError e) : error(std::move(e)) {}      // NOLINT
  bool ok() const { return value.has_value(); }
  std::optional<T> value;
  CtlError error;
};

struct ClientOptions {
  std::chrono::nanoseconds request_timeout{std::chrono::seconds(2)};
  std::chrono::nanoseconds total_timeout{std::chrono::seconds(5)};  // 0: none (watches)
  std::string ca_file, cert_file, key_file;
  std::string authorization;  // "Basic ..." or ""
  bool debug = false;         // print each request as a cURL command on stderr
};

struct Request {
  Request(std::string m, std::string t, std::string b = "", std::string type = "", bool once = false, bool poll = false)
      : method(std::move(m)), target(std::move(t)), body(std::move(b)), content_type(std::move(type)),
        one_shot(once), wait(poll) {}
  std::string method;
  std::string target;  // "/v2/keys/foo?recursive=false"
  std::string body;
  std::string content_type;
  bool one_shot = false;  // do not try other endpoints (writes that must not repeat)
  bool wait = false;      // a long poll: no per-request timeout
};

class Client {
 public:
  Client(std::vector<std::string> endpoints, ClientOptions options);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Starts the total-timeout clock for the next command (etcdctl makes one
  // context per call).
  void StartDeadline();
  CtlResult<common::HttpResponse> Do(const Request& request);
  // Replaces the endpoints by the members' client URLs (shuffled, as etcd's
  // client does) unless they are the same set. Errors as the Go client:
  // "client: no endpoints available" when no member publishes a client URL.
  CtlResult<bool> Sync();
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  const ClientOptions& options() const { return options_; }

 private:
  CtlResult<common::HttpResponse> DoOne(const std::string& endpoint, const Request& request, bool* give_up);

  std::vector<std::string> endpoints_;
  size_t pinned_ = 0;
  ClientOptions options_;
  std::chrono::steady_clock::time_point deadline_;
};

// Go's text for a failed HttpDo to `url` ("dial tcp h:p: connect: connection refused").
std::string TransportErrorText(const std::string& url, const common::Status& s);

// "Basic base64(user:pass)".
std::string BasicAuthorization(const std::string& user, const std::string& password);

// etcdctl's endpoint list: --endpoints, $ETCDCTL_ENDPOINTS, --endpoint,
// $ETCDCTL_ENDPOINT, --peers/-C, $ETCDCTL_PEERS, then the default; a URL
// without a scheme gets "http://".
std::vector<std::string> NormalizeEndpoints(const std::string& comma_separated);

}  // namespace cli
