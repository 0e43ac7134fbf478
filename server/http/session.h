// One HTTP/1.x connection of the Beast server, and the Exchange handed to the
// handler for each of its requests. Private to server/http: only session.cc
// and beast_server.cc include it (Beast and Asio are slow to compile).
//
// Threads: a Session runs on its executor (one I/O thread at a time). Exchange
// calls come from any thread and are posted there, unless the server stopped.
// A Session lives while an I/O operation or an Exchange refers to it; its Asio
// objects are released by the server before the io_context goes away, so a
// parked Exchange may outlive the server safely.
#pragma once

#include <atomic>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "server/http/http.h"
#include "server/http/request_parser.h"
#include "server/http/wire.h"

namespace http::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

class Session;

// What a server shares with its sessions, which may outlive it.
struct Hub {
  std::mutex mu;
  bool stopped = false;                         // guarded by mu
  std::list<std::weak_ptr<Session>> sessions;   // guarded by mu; live sessions
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `handler` and `options` must outlive the I/O threads. Returns null once the
  // hub has stopped (the socket is then closed).
  static std::shared_ptr<Session> Create(tcp::socket socket, std::string remote_addr,
                                         std::shared_ptr<Hub> hub, const Handler* handler,
                                         const ServerOptions* options);
  Session(tcp::socket socket, std::string remote_addr, std::shared_ptr<Hub> hub,
          const Handler* handler, const ServerOptions* options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::any_io_executor executor() { return io_->socket.get_executor(); }
  const std::shared_ptr<Hub>& hub() const { return hub_; }

  void Start();      // on the executor
  void Close();      // on the executor; fires OnClientGone of a pending exchange
  void ReleaseIo();  // after the I/O threads have stopped

  // Exchange operations, on the executor; `id` names the exchange, calls for
  // an exchange that is no longer current are ignored.
  void Reply(std::uint64_t id, Response response);
  void ReplyWith(std::uint64_t id, const std::function<Response()>& build);
  void StartStream(std::uint64_t id, int status, Headers headers);
  void Write(std::uint64_t id, std::string chunk);
  void End(std::uint64_t id);
  void SetOnClientGone(std::uint64_t id, std::function<void()> cb);
  void Abandon(std::uint64_t id);  // the handler dropped an unfinished exchange

  // Runs `op` on the executor after every op queued before it, from any
  // thread. Plain asio::post is not enough: a post made from the I/O thread
  // inside a handler can be overtaken by a post from another thread.
  void PostInOrder(std::function<void(Session&)> op);
  // Whether an exchange call may run at once rather than be posted: the
  // caller is this session's handler, on its I/O thread, and no earlier call
  // is queued.
  bool CanRunNow();

 private:
  void RunQueuedOps();

  std::mutex ops_mu_;
  std::vector<std::function<void(Session&)>> ops_;  // guarded by ops_mu_
  bool ops_posted_ = false;                         // guarded by ops_mu_
  // The batch RunQueuedOps is running; swapped with ops_ so that neither
  // vector is reallocated per request.
  std::vector<std::function<void(Session&)>> running_ops_;

  using Clock = std::chrono::steady_clock;
  enum class State { kReading, kExchange, kClosing, kClosed };
  enum class ExchangeState { kNone, kPending, kStreaming };

  struct Io {
    tcp::socket socket;
    asio::steady_timer timer;
  };

  void ArmRead();
  void OnRead(const beast::error_code& ec, std::size_t n);
  void ParseBuffered();
  void OnHead();
  void Dispatch(bool body_too_large);
  void FailRequest(std::string_view public_error);
  void FinishExchange();
  void NextRequest();
  void ClientGone();
  bool Current(std::uint64_t id) const;

  void Enqueue(std::string bytes);
  void DoWrite();
  void OnWrite(const beast::error_code& ec);
  void Linger();

  void SetDeadline(Clock::time_point deadline);
  void ArmTimer();
  void OnTimer(const beast::error_code& ec);

  std::shared_ptr<Hub> hub_;
  const Handler* handler_;
  const ServerOptions* options_;
  std::optional<Io> io_;      // reset by ReleaseIo()
  std::list<std::weak_ptr<Session>>::iterator registration_;
  std::string remote_addr_;

  State state_ = State::kReading;
  beast::flat_buffer in_;
  std::array<char, 16 * 1024> read_buf_;  // the outstanding read lands here, then moves to in_
  RequestParser parser_;          // the request being read
  bool reading_ = false;          // an async read is outstanding
  bool peer_eof_ = false;         // the client shut down its sending side

  std::uint64_t exchange_id_ = 0;
  ExchangeState exchange_ = ExchangeState::kNone;
  wire::Framing framing_;
  bool chunked_ = false;          // the current stream uses chunked encoding
  bool stream_body_ = false;      // the current stream may carry a body
  bool client_gone_ = false;      // OnClientGone fired for the current exchange
  bool next_request_due_ = false; // the handler answered before it returned
  std::function<void()> on_client_gone_;

  // Bytes go from pending_ to inflight_ while a write is outstanding; the
  // strings of inflight_ stay untouched until it completes.
  std::vector<std::string> pending_;
  std::vector<std::string> inflight_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;

  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point timer_expiry_ = Clock::time_point::max();
  bool timer_armed_ = false;
};

// The Exchange of one request: forwards to its Session on the Session's
// executor, holding the Session alive until dropped.
class ExchangeImpl : public Exchange {
 public:
  ExchangeImpl(std::shared_ptr<Session> session, std::uint64_t id)
      : session_(std::move(session)), id_(id) {}
  ~ExchangeImpl() override;

  void Reply(Response response) override;
  void ReplyWith(std::function<Response()> build) override;
  void StartStream(int status, Headers headers) override;
  void Write(std::string chunk) override;
  void End() override;
  void OnClientGone(std::function<void()> cb) override;

 private:
  template <typename Op>
  void Post(Op op);

  std::shared_ptr<Session> session_;
  std::uint64_t id_;
  std::atomic<bool> finished_{false};  // Reply or End was called
};

}  // namespace http::internal
