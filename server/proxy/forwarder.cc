#include "server/proxy/forwarder.h"

#include <httplib.h>
#include <strings.h>

#include <utility>

#include "common/json_string.h"
#include "common/log.h"
#include "server/proxy/headers.h"

namespace proxy {
namespace {

// What "no limit" becomes for cpp-httplib, which needs a finite poll timeout
// (in int milliseconds): a week, far beyond any watch a client keeps open.
constexpr std::chrono::milliseconds kNoLimit = std::chrono::hours(24 * 7);

std::chrono::milliseconds OrNoLimit(std::chrono::milliseconds d) { return d.count() == 0 ? kNoLimit : d; }

bool IsChunked(const httplib::Response& res) {
  return strcasestr(res.get_header_value("Transfer-Encoding").c_str(), "chunked") != nullptr;
}

// The relay of one member's answer to the client. A chunked answer is
// streamed; any other is gathered and sent whole, with the member's
// Content-Length (a HEAD answer has no body to gather).
class Relay {
 public:
  Relay(const http::Headers& own_headers, Cancellation& cancel, http::Exchange& ex)
      : own_headers_(own_headers), cancel_(cancel), ex_(ex) {}

  bool started() const { return started_; }

  bool OnHead(const httplib::Response& res) {
    if (cancel_.cancelled()) return false;
    started_ = true;
    status_ = res.status;
    headers_ = own_headers_;
    http::Headers upstream;
    for (const auto& [name, value] : res.headers) upstream.emplace_back(name, value);
    for (auto& h : RelayedHeaders(upstream)) headers_.push_back(std::move(h));
    streaming_ = IsChunked(res);
    if (streaming_) ex_.StartStream(status_, std::move(headers_));
    return true;
  }

  bool OnData(const char* data, size_t size) {
    if (cancel_.cancelled()) return false;
    if (streaming_) {
      ex_.Write(std::string(data, size));
    } else {
      body_.append(data, size);
    }
    return true;
  }

  // The member's answer ended; `complete` is false when it broke off.
  void Finish(bool complete) {
    if (streaming_) {
      ex_.End();  // as Go ends a copied chunked body, even a cut one
    } else if (complete) {
      ex_.Reply(http::Response{status_, std::move(headers_), std::move(body_)});
    }
    // A cut answer of known length is left unanswered: the connection closes,
    // as Go's does after a short body.
  }

 private:
  const http::Headers& own_headers_;
  Cancellation& cancel_;
  http::Exchange& ex_;
  bool started_ = false;
  bool streaming_ = false;
  int status_ = 0;
  http::Headers headers_;
  std::string body_;
};

}  // namespace

void Cancellation::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (client_ != nullptr) client_->stop();  // the one thread-safe call on a busy client
}

bool Cancellation::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool Cancellation::Attach(httplib::Client* client) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  client_ = client;
  return true;
}

void Cancellation::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  client_ = nullptr;
}

http::Response ProxyError(int status, const std::string& message, const http::Headers& own_headers) {
  http::Response r;
  r.status = status;
  r.headers = own_headers;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = "{\"message\":" + common::JsonString("httpproxy: " + message) + "}";
  return r;
}

void Forward(const http::Request& req, const std::vector<std::string>& endpoints, const http::Headers& own_headers,
             const ForwardTimeouts& timeouts, Director& director, Cancellation& cancel, http::Exchange& ex) {
  httplib::Request out;
  out.method = req.method;
  out.path = req.path + (req.query.empty() ? "" : "?" + req.query);
  for (auto& [name, value] : UpstreamHeaders(req)) out.headers.emplace(std::move(name), std::move(value));
  out.body = req.body;

  for (const std::string& endpoint : endpoints) {
    httplib::Client client(endpoint);
    client.set_connection_timeout(OrNoLimit(timeouts.dial));
    client.set_write_timeout(OrNoLimit(timeouts.write));
    client.set_read_timeout(OrNoLimit(timeouts.read));
    client.set_url_encode(false);  // the target is relayed exactly as the client sent it
    client.set_decompress(false);

    Relay relay(own_headers, cancel, ex);
    httplib::Request attempt = out;
    attempt.response_handler = [&relay](const httplib::Response& res) { return relay.OnHead(res); };
    attempt.content_receiver = [&relay](const char* data, size_t size, uint64_t, uint64_t) {
      return relay.OnData(data, size);
    };
    if (!client.is_valid() || !cancel.Attach(&client)) return;
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    bool ok = client.send(attempt, res, error);
    cancel.Detach();
    if (cancel.cancelled()) {
      KV_LOG(kInfo, "proxy") << "client " << req.remote_addr << " closed request prematurely";
      return;
    }
    // cpp-httplib skips the response handler for answers without a body
    // (HEAD, 204): the whole answer is in `res` then.
    if (ok && !relay.started()) relay.OnHead(res);
    if (relay.started()) return relay.Finish(ok);
    KV_LOG(kInfo, "proxy") << "failed to direct request to " << endpoint << ": " << httplib::to_string(error);
    director.Failed(endpoint, Director::Clock::now());
  }
  std::string message = "unable to get response from " + std::to_string(endpoints.size()) + " endpoint(s)";
  KV_LOG(kInfo, "proxy") << message;
  ex.Reply(ProxyError(502, message, own_headers));
}

}  // namespace proxy
