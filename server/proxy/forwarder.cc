#include "server/proxy/forwarder.h"

#include <httplib.h>
#include <strings.h>

#include <utility>

#include "common/json_string.h"
#include "common/log.h"
#include "server/proxy/client_pool.h"
#include "server/proxy/headers.h"

namespace proxy {
namespace {

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
  // A streamed answer (a watch) leaves its connection to be closed.
  bool streamed() const { return streaming_; }

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

// Whether a request that failed on a kept-alive connection (which the member
// may have closed meanwhile) can go once more on a new one: when it is a read,
// or when it was not written, so the member cannot have applied it.
bool Retriable(const std::string& method, httplib::Error error) {
  return method == "GET" || method == "HEAD" || error == httplib::Error::Write;
}

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
             ClientPool& pool, Director& director, Cancellation& cancel, http::Exchange& ex) {
  httplib::Request out;
  out.method = req.method;
  out.path = req.path + (req.query.empty() ? "" : "?" + req.query);
  for (auto& [name, value] : UpstreamHeaders(req)) out.headers.emplace(std::move(name), std::move(value));
  out.body = req.body;

  for (const std::string& endpoint : endpoints) {
    bool reused = false;
    std::unique_ptr<httplib::Client> client = pool.Take(endpoint, &reused);
    httplib::Error error = httplib::Error::Success;
    while (true) {
      Relay relay(own_headers, cancel, ex);
      httplib::Request attempt = out;
      attempt.response_handler = [&relay](const httplib::Response& res) { return relay.OnHead(res); };
      attempt.content_receiver = [&relay](const char* data, size_t size, uint64_t, uint64_t) {
        return relay.OnData(data, size);
      };
      if (!client->is_valid() || !cancel.Attach(client.get())) return;
      httplib::Response res;
      bool ok = client->send(attempt, res, error);
      cancel.Detach();
      if (cancel.cancelled()) {
        KV_LOG(kInfo, "proxy") << "client " << req.remote_addr << " closed request prematurely";
        return;
      }
      // cpp-httplib skips the response handler for answers without a body
      // (HEAD, 204): the whole answer is in `res` then.
      if (ok && !relay.started()) relay.OnHead(res);
      if (relay.started()) {
        relay.Finish(ok);
        if (ok && !relay.streamed()) pool.Put(endpoint, std::move(client));
        return;
      }
      if (!reused || !Retriable(req.method, error)) break;
      reused = false;
      client = pool.New(endpoint);
    }
    KV_LOG(kInfo, "proxy") << "failed to direct request to " << endpoint << ": " << httplib::to_string(error);
    director.Failed(endpoint, Director::Clock::now());
  }
  std::string message = "unable to get response from " + std::to_string(endpoints.size()) + " endpoint(s)";
  KV_LOG(kInfo, "proxy") << message;
  ex.Reply(ProxyError(502, message, own_headers));
}

}  // namespace proxy
