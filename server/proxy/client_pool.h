// ClientPool: the proxy's idle keep-alive connections to the members, per
// endpoint, so forwarding a request does not open (and leave in TIME_WAIT) a
// TCP connection each time, as Go's http.Transport under etcd's proxy does
// not either.
//
// A forward takes a client for its endpoint (an idle one, else a new one with
// the proxy's timeouts) and gives it back when the answer ended cleanly and
// the connection may carry the next request; one that failed, was cancelled
// or streamed a watch is dropped. At most kMaxIdlePerEndpoint wait per
// endpoint.
//
// Threads: Take and Put are safe from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/proxy/forwarder.h"

namespace proxy {

class ClientPool {
 public:
  static constexpr size_t kMaxIdlePerEndpoint = 16;

  explicit ClientPool(ForwardTimeouts timeouts);
  ~ClientPool();

  // An idle client for `endpoint`, or a new one; `reused` says which.
  std::unique_ptr<httplib::Client> Take(const std::string& endpoint, bool* reused);
  std::unique_ptr<httplib::Client> New(const std::string& endpoint) const;
  void Put(const std::string& endpoint, std::unique_ptr<httplib::Client> client);

 private:
  const ForwardTimeouts timeouts_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<httplib::Client>>> idle_;  // guarded by mu_
};

}  // namespace proxy
