// Helpers for the HTTP server tests: a server on an ephemeral loopback port,
// a place where handlers park exchanges, and the requests and answers the
// tests send and expect.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http/http.h"

namespace http::testing {

// A server on 127.0.0.1 with an ephemeral port, stopped at scope exit.
struct TestServer {
  explicit TestServer(Handler handler, ServerOptions options = {}) {
    auto r = Server::Listen({"127.0.0.1:0"}, std::move(handler), options);
    REQUIRE(r.ok());
    server = std::move(r.value());
    server->Start();
    port = server->Ports().at(0);
  }
  ~TestServer() { server->Stop(); }
  std::unique_ptr<Server> server;
  int port = 0;
};

// Exchanges the handler parked, for the test thread to answer.
class Parking {
 public:
  void Park(Request req, std::shared_ptr<Exchange> ex) {
    std::lock_guard<std::mutex> lock(mu_);
    parked_.emplace_back(std::move(req), std::move(ex));
    cv_.notify_all();
  }
  // Waits until `n` are parked, then hands them over.
  std::vector<std::pair<Request, std::shared_ptr<Exchange>>> Take(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return parked_.size() >= n; });
    return std::move(parked_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<Request, std::shared_ptr<Exchange>>> parked_;
};

inline Response Text(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/plain"}};
  r.body = std::move(body);
  return r;
}

// Answers with the path.
inline void EchoPath(Request req, std::shared_ptr<Exchange> ex) { ex->Reply(Text(req.path)); }

inline std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
}

inline std::string Answer(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}
}  // namespace http::testing
