// The HTTP boundary: plain request/response structs and an Exchange through
// which a handler answers, now or later. Handlers never see the HTTP library,
// so they are tested without sockets and the front end stays replaceable.
//
// Threads: a Handler is called on an I/O thread and must not block. An
// Exchange may be used from any thread (its calls are posted to the
// connection's I/O thread, in order).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;   // as sent: "GET", "PUT", ...
  std::string path;     // raw path of the request-target, still percent-encoded
  std::string query;    // raw query without '?', "" when none
  Headers headers;      // as received
  std::string body;
  // The body was larger than ServerOptions::max_body_bytes: `body` is empty and
  // the connection is closed after the answer.
  bool body_too_large = false;
  std::string remote_addr;  // "ip:port" of the client

  // Value of the first header with this name (case-insensitive), "" if absent.
  const std::string& Header(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;      // Content-Length and Date are added by the server
  std::string body;
};

// One request's answer. Exactly one of: Reply(); or StartStream(), any number
// of Write(), then End(). Calls after the client has gone are ignored.
// Dropping the last reference unfinished ends a started stream, or else
// closes the connection (drop it in OnClientGone to free the connection).
// A connection answers its requests one at a time, in order: a pipelined
// request reaches the handler after the previous exchange ended.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void Reply(Response response) = 0;
  // Reply(build()), with `build` run on the connection's I/O thread, or not at
  // all if the exchange can no longer answer. For callers on a busy thread
  // (the Raft loop): the answer's allocations stay on the thread that frees
  // them, which is much cheaper for malloc.
  virtual void ReplyWith(std::function<Response()> build) { Reply(build()); }
  // Sends the status line and headers at once (chunked body follows).
  virtual void StartStream(int status, Headers headers) = 0;
  virtual void Write(std::string chunk) = 0;  // sent and flushed as one chunk
  virtual void End() = 0;
  // `cb` runs once, on an I/O thread, when every byte written so far has
  // gone to the socket: a producer of a large stream writes its next piece
  // then, so no more than one piece waits in memory. It never runs if the
  // client goes first (OnClientGone fires instead). Implementations without
  // a send queue run it at once.
  virtual void WhenSent(std::function<void()> cb) { cb(); }
  // `cb` runs once, on an I/O thread, if the client closes the connection
  // before the exchange ended (as in Go, a client that only shut down its
  // sending side counts as gone, though an answer still reaches it), or when
  // the server stops. Set it before parking the exchange.
  virtual void OnClientGone(std::function<void()> cb) = 0;
};

using Handler = std::function<void(Request, std::shared_ptr<Exchange>)>;

// Go's http.Error: status, "text/plain; charset=utf-8", nosniff, text + "\n".
Response TextError(int status, const std::string& text);

// Limits a client cannot get past. A request over a head limit gets Go's
// fixed answer (431, or 414 for the request line) and the connection closes.
struct ServerOptions {
  int threads = 2;                              // I/O threads
  std::size_t max_body_bytes = 1536 * 1024;     // --max-request-bytes
  std::size_t max_header_bytes = 1 << 20;       // Go's DefaultMaxHeaderBytes (+4 KB slack, as Go)
  // Each field costs a copy; this bounds what a head of tiny fields costs.
  // Trailer fields count too. Zero: no limit.
  std::size_t max_header_fields = 1000;
  // Request line with its CRLF: room for any key within the store's limits,
  // percent-encoded, with its query. (etcd resets a connection whose first
  // line is over 4096 bytes, and serves longer ones on later requests.)
  // Zero: only max_header_bytes.
  std::size_t max_request_line = 16 * 1024;
  // A connection that has not sent a complete request head within this time
  // is closed (slow-loris protection); so is a new one that sends nothing.
  // Idle keep-alive connections after idle_timeout. Zero disables either.
  std::chrono::seconds read_header_timeout{30};
  std::chrono::seconds idle_timeout{300};
  // An answer of which the client accepts no byte for this long closes the
  // connection. Zero: no limit.
  std::chrono::seconds write_timeout{30};
  // Open connections at most; one more is answered 503 and closed. Zero: no cap.
  std::size_t max_connections = 0;
  // Bytes of bodies still arriving, summed over all connections: a request
  // whose body is incomplete when this is exceeded gets 503 and its
  // connection closes (slowly sent bodies cannot pile up). Requests that
  // arrive whole are never refused for it. Zero: no budget.
  std::size_t body_budget_bytes = 256 << 20;
};

// Raises the soft open-files limit to the hard one, and returns `wanted`
// lowered (with a warning naming `flag`) so that `reserved` descriptors stay
// free for everything else.
std::size_t CapToOpenFiles(std::size_t wanted, std::size_t reserved, const std::string& flag);

// An event-driven HTTP/1.1 server (keep-alive, pipelining, chunked streams).
class Server {
 public:
  virtual ~Server() = default;
  // Binds every "host:port" (IPv4/IPv6 literal or name) before returning, so a
  // port in use is reported here, as Go words it ("listen tcp 127.0.0.1:2379:
  // bind: address already in use"); serving starts with Start(). A name
  // listens on its first IPv4 address; "" as host means all addresses. Also
  // raises the process's soft open-files limit to the hard limit. Accepted
  // connections get TCP keep-alive, so clients that vanished are noticed.
  static common::Result<std::unique_ptr<Server>> Listen(
      const std::vector<std::string>& host_ports, Handler handler, ServerOptions options);
  virtual void Start() = 0;   // starts the I/O threads; returns at once
  // Closes listeners and connections (firing OnClientGone of parked
  // exchanges), joins the threads. Exchanges may outlive the server: their
  // calls are then ignored. Also done by the destructor. Not from a handler.
  virtual void Stop() = 0;
  // Actual bound ports, in the order given (useful with port 0 in tests).
  virtual std::vector<int> Ports() const = 0;
};

}  // namespace http
