// Forwarding one client request to the cluster's members (etcd's httpproxy
// reverseProxy): try the endpoints in order; the first HTTP answer, whatever
// its status, is relayed; a transport error marks that endpoint failed and
// moves on; none answering gives etcd's 502. Chunked answers (watches) are
// relayed chunk by chunk as they arrive, so a long poll shows its headers at
// once and each event when it happens. Connections to the members are kept
// alive between requests (ClientPool).
//
// Threads: Forward blocks for as long as the member takes (a watch: until the
// event), so it runs on a worker thread, never on an I/O thread.
// Cancellation::Cancel may be called from any thread.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "server/http/http.h"
#include "server/proxy/director.h"

namespace httplib {
class Client;
}

namespace proxy {

class ClientPool;

// Zero means no limit, as in etcd's --proxy-*-timeout flags.
struct ForwardTimeouts {
  std::chrono::milliseconds dial{1000};
  std::chrono::milliseconds write{5000};
  std::chrono::milliseconds read{0};  // a limit here would cut long-poll watches
};

// Stops a forward whose client has gone, or when the proxy stops: marks it
// cancelled and shuts down the socket of the request under way.
class Cancellation {
 public:
  void Cancel();
  bool cancelled() const;
  // Registers the client about to send; false (nothing registered) when the
  // forward is already cancelled.
  bool Attach(httplib::Client* client);
  void Detach();

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;            // guarded by mu_
  httplib::Client* client_ = nullptr;  // guarded by mu_
};

// etcd's error answer ({"message":"httpproxy: ..."}, application/json, no
// newline) with `own_headers` (the proxy's CORS headers) added.
http::Response ProxyError(int status, const std::string& message, const http::Headers& own_headers);

// Sends `req` to `endpoints` in order, on connections from `pool`, and
// answers `ex`. `own_headers` come first in every answer (the member's own
// headers follow, as in etcd).
void Forward(const http::Request& req, const std::vector<std::string>& endpoints, const http::Headers& own_headers,
             ClientPool& pool, Director& director, Cancellation& cancel, http::Exchange& ex);

}  // namespace proxy
