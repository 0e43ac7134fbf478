// A fake etcd v2 keys server for the discovery tests, in-process on loopback:
// just what a discovery token needs (GET of a key or a one-level directory,
// PUT with prevExist=false, watches with waitIndex), with etcd's JSON shapes
// and X-Etcd-Index. Every request is logged as "METHOD /path?query [body]".
// Keys are the request paths themselves, so any URL path can be a token.
// Thread-safe: the test thread and the server's threads share it.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace common::testing {

class FakeV2Keys {
 public:
  // Serves on `port` (0: any free loopback port).
  explicit FakeV2Keys(int port = 0);
  ~FakeV2Keys();
  FakeV2Keys(const FakeV2Keys&) = delete;
  FakeV2Keys& operator=(const FakeV2Keys&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // Sets a key as a client's PUT would (a new node with the next index).
  void Set(const std::string& key, const std::string& value);
  // The next `n` requests get a 503, as a member without a leader answers.
  void FailNext(int n);
  // Every answer is this body with status 200 instead (a server that is not etcd).
  void AnswerWith(const std::string& body);
  std::vector<std::string> requests() const;
  // Blocks until `n` requests were received (up to 5 s); false on timeout.
  bool WaitRequests(size_t n) const;

 private:
  struct Node {
    std::string value;
    uint64_t created = 0, modified = 0;
  };
  void Handle(const httplib::Request& req, httplib::Response& res);
  void Get(const std::string& key, httplib::Response& res);
  void Put(const std::string& key, const httplib::Request& req, httplib::Response& res);
  void Watch(const std::string& key, bool recursive, uint64_t wait_index, httplib::Response& res);
  std::string NodeJson(const std::string& key, const Node& n) const;
  void Error(httplib::Response& res, int status, int code, const std::string& message, const std::string& key);

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::map<std::string, Node> keys_;             // GUARDED_BY(mu_)
  std::vector<std::string> events_;              // GUARDED_BY(mu_): key changed at index i+1
  std::vector<std::string> requests_;            // GUARDED_BY(mu_)
  int fail_next_ = 0;                            // GUARDED_BY(mu_)
  std::string fixed_answer_;                     // GUARDED_BY(mu_)
  bool stopping_ = false;                        // GUARDED_BY(mu_)
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace common::testing
