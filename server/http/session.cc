// One connection of the Beast server: reads and parses requests, calls the
// handler, writes answers in order, notices clients that leave. See session.h.
//
// A connection handles one request at a time, which keeps pipelined answers in
// order: bytes that arrive meanwhile are buffered (up to a bound) and parsed
// when the current exchange ends. While an exchange is pending a read stays
// armed, so a client that hangs up is noticed.
#include "server/http/session.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/read_size.hpp>

#include "common/log.h"

namespace http::internal {
namespace {

// Pipelined bytes buffered while an exchange is pending, and answer bytes
// queued for a client that does not read: past these, stop reading / close.
constexpr std::size_t kMaxBufferedWhileBusy = 64 * 1024;
constexpr std::size_t kMaxQueuedBytes = 16 * 1024 * 1024;
// Read buffers that grew for a large request shrink back past this.
constexpr std::size_t kKeptBufferCapacity = 64 * 1024;
// How long a closing connection waits for the client to read the answer
// before its unread input turns the close into a reset (Go waits 500 ms).
constexpr std::chrono::milliseconds kLingerTime{500};

// The session whose handler this thread is running, if any (see CanRunNow).
thread_local const Session* t_handler_session = nullptr;

}  // namespace

std::shared_ptr<Session> Session::Create(tcp::socket socket, std::string remote_addr,
                                         std::shared_ptr<Hub> hub, const Handler* handler,
                                         const ServerOptions* options) {
  auto session = std::make_shared<Session>(std::move(socket), std::move(remote_addr), hub,
                                           handler, options);
  {
    std::lock_guard<std::mutex> lock(hub->mu);
    if (!hub->stopped) {
      session->registration_ = hub->sessions.insert(hub->sessions.end(), session);
      return session;
    }
  }
  return nullptr;  // destroyed outside the lock: ~Session takes it
}

Session::Session(tcp::socket socket, std::string remote_addr, std::shared_ptr<Hub> hub,
                 const Handler* handler, const ServerOptions* options)
    : hub_(std::move(hub)),
      handler_(handler),
      options_(options),
      remote_addr_(std::move(remote_addr)),
      in_(options->max_header_bytes + kHeaderSlack + kMaxBufferedWhileBusy),
      parser_(*options) {
  auto executor = socket.get_executor();
  io_.emplace(Io{std::move(socket), asio::steady_timer(executor)});
  registration_ = hub_->sessions.end();
}

Session::~Session() {
  std::lock_guard<std::mutex> lock(hub_->mu);
  if (registration_ != hub_->sessions.end()) hub_->sessions.erase(registration_);
}

void Session::Start() {
  NextRequest();
}

void Session::ReleaseIo() {
  on_client_gone_ = nullptr;
  io_.reset();
}

// ---- Reading and parsing ----

void Session::ArmRead() {
  if (reading_ || peer_eof_ || state_ == State::kClosed) return;
  if (in_.size() >= in_.max_size()) return;
  if (state_ == State::kExchange && in_.size() >= kMaxBufferedWhileBusy) return;
  reading_ = true;
  // Into a buffer of its own, not in_.prepare(): a pipelined request already
  // in in_ may be parsed (in_ consumed, reset or shrunk) while this read is
  // outstanding, which would leave the read writing into stale memory.
  std::size_t room = std::min(read_buf_.size(), in_.max_size() - in_.size());
  io_->socket.async_read_some(
      asio::buffer(read_buf_.data(), room),
      [self = shared_from_this()](const beast::error_code& ec, std::size_t n) {
        self->OnRead(ec, n);
      });
}

void Session::OnRead(const beast::error_code& ec, std::size_t n) {
  reading_ = false;
  if (state_ == State::kClosed) return;
  if (ec == asio::error::eof) {
    peer_eof_ = true;
  } else if (ec) {
    Close();
    return;
  }
  if (n > 0) {
    // At most the room ArmRead saw: in_ has not grown since.
    in_.commit(asio::buffer_copy(in_.prepare(n), asio::buffer(read_buf_.data(), n)));
  }
  switch (state_) {
    case State::kReading:
      ParseBuffered();
      return;
    case State::kExchange:
      // Like Go, an end of stream counts as the client gone, but the answer
      // can still be written to a half-closed client. A read that completes
      // with no data and no error is simply re-armed.
      if (peer_eof_) {
        ClientGone();
      } else {
        ArmRead();
      }
      return;
    case State::kClosing:
      in_.consume(in_.size());
      if (!peer_eof_) {
        ArmRead();
      } else if (!writing_) {
        Close();
      }
      return;
    case State::kClosed:
      return;
  }
}

void Session::ParseBuffered() {
  if (!parser_.started()) {
    if (in_.size() == 0 && !peer_eof_) {
      ArmRead();
      return;
    }
    parser_.Begin();
    if (options_->read_header_timeout.count() > 0) {
      SetDeadline(Clock::now() + options_->read_header_timeout);
    }
  }
  while (true) {
    switch (parser_.Parse(in_)) {
      case RequestParser::Event::kNeedMore:
        break;
      case RequestParser::Event::kHead:
        OnHead();
        continue;
      case RequestParser::Event::kDone:
        Dispatch(/*body_too_large=*/false);
        return;
      case RequestParser::Event::kTooLarge:
        Dispatch(/*body_too_large=*/true);
        return;
      case RequestParser::Event::kRefused:
        FailRequest(parser_.Refusal());
        return;
    }
    break;
  }
  if (peer_eof_) {
    // The client left mid-request (or between requests): nothing to answer.
    state_ = State::kClosing;
    if (!writing_) Close();
    return;
  }
  ArmRead();
}

// The head of a request was accepted; its body is read now.
void Session::OnHead() {
  // A client waiting for "100 Continue" gets it.
  if (parser_.ExpectsContinue()) Enqueue(std::string(wire::kContinue));
  SetDeadline(options_->idle_timeout.count() > 0 ? Clock::now() + options_->idle_timeout
                                                 : Clock::time_point::max());
}

void Session::Dispatch(bool body_too_large) {
  Request req = parser_.Take(body_too_large, remote_addr_, &framing_);

  state_ = State::kExchange;
  exchange_ = ExchangeState::kPending;
  client_gone_ = false;
  chunked_ = false;
  SetDeadline(Clock::time_point::max());
  auto exchange = std::make_shared<ExchangeImpl>(shared_from_this(), ++exchange_id_);
  const Session* outer = std::exchange(t_handler_session, this);
  try {
    (*handler_)(std::move(req), std::move(exchange));
  } catch (const std::exception& e) {
    t_handler_session = outer;
    next_request_due_ = false;
    KV_LOG(kError, "http") << "handler threw: " << e.what();
    Close();
    return;
  }
  t_handler_session = outer;
  if (next_request_due_) {
    // Answered within the handler. A buffered (pipelined) request is taken
    // up through the executor, so that a long pipeline is not served by
    // recursion.
    next_request_due_ = false;
    if (in_.size() == 0) {
      NextRequest();
    } else {
      asio::post(executor(), [self = shared_from_this()] {
        if (self->state_ != State::kClosed) self->NextRequest();
      });
    }
    return;
  }
  // Watch the socket while the answer is pending (not past an unread body).
  if (!body_too_large) ArmRead();
}

bool Session::CanRunNow() {
  if (t_handler_session != this) return false;
  {
    std::lock_guard<std::mutex> lock(hub_->mu);
    if (hub_->stopped) return false;
  }
  std::lock_guard<std::mutex> lock(ops_mu_);
  return ops_.empty();
}

void Session::FailRequest(std::string_view public_error) {
  parser_.Reset();
  state_ = State::kClosing;
  Enqueue(wire::FormatError(public_error));
}

// ---- Exchange ----

bool Session::Current(std::uint64_t id) const {
  return state_ == State::kExchange && id == exchange_id_;
}

void Session::Reply(std::uint64_t id, Response response) {
  if (!Current(id) || exchange_ != ExchangeState::kPending) return;
  Enqueue(wire::FormatReply(response, framing_));
  FinishExchange();
}

void Session::ReplyWith(std::uint64_t id, const std::function<Response()>& build) {
  if (!Current(id) || exchange_ != ExchangeState::kPending) return;
  Reply(id, build());
}

void Session::StartStream(std::uint64_t id, int status, Headers headers) {
  if (!Current(id) || exchange_ != ExchangeState::kPending) return;
  // Without chunking (HTTP/1.0) the end of the body is the end of the connection.
  if (framing_.http10) framing_.keep_alive = false;
  exchange_ = ExchangeState::kStreaming;
  Enqueue(wire::FormatStreamHead(status, headers, framing_, &chunked_));
  stream_body_ = !framing_.head && wire::BodyAllowed(status);
}

void Session::Write(std::uint64_t id, std::string chunk) {
  if (!Current(id) || exchange_ != ExchangeState::kStreaming || !stream_body_) return;
  Enqueue(chunked_ ? wire::FormatChunk(chunk) : std::move(chunk));
}

void Session::End(std::uint64_t id) {
  if (!Current(id) || exchange_ != ExchangeState::kStreaming) return;
  if (chunked_) Enqueue(std::string(wire::kLastChunk));
  FinishExchange();
}

void Session::SetOnClientGone(std::uint64_t id, std::function<void()> cb) {
  if (id != exchange_id_) return;
  // The client may have left before this call arrived: a post made by the
  // handler on this thread can run after a Close that Stop posted meanwhile.
  if (client_gone_) {
    cb();
    return;
  }
  if (!Current(id) || exchange_ == ExchangeState::kNone) return;
  on_client_gone_ = std::move(cb);
}

void Session::Abandon(std::uint64_t id) {
  if (!Current(id)) return;
  if (exchange_ == ExchangeState::kStreaming) {
    End(id);
  } else {
    // Nothing was answered and nothing will be: the client must not wait.
    if (!client_gone_) {
      KV_LOG(kWarn, "http") << "request from " << remote_addr_ << " dropped unanswered";
    }
    Close();
  }
}

void Session::ClientGone() {
  if (exchange_ == ExchangeState::kNone || client_gone_) return;
  client_gone_ = true;
  auto cb = std::move(on_client_gone_);
  on_client_gone_ = nullptr;
  if (cb) cb();
}

void Session::FinishExchange() {
  exchange_ = ExchangeState::kNone;
  on_client_gone_ = nullptr;
  if (!framing_.keep_alive) {
    state_ = State::kClosing;
    if (!writing_) Linger();
    return;
  }
  if (t_handler_session == this) {
    next_request_due_ = true;  // Dispatch goes on once the handler returns
    return;
  }
  NextRequest();
}

void Session::NextRequest() {
  state_ = State::kReading;
  if (in_.size() == 0 && in_.capacity() > kKeptBufferCapacity) in_.shrink_to_fit();
  SetDeadline(options_->idle_timeout.count() > 0 ? Clock::now() + options_->idle_timeout
                                                 : Clock::time_point::max());
  ParseBuffered();
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  ClientGone();
  state_ = State::kClosed;
  exchange_ = ExchangeState::kNone;
  on_client_gone_ = nullptr;
  parser_.Reset();
  pending_.clear();
  beast::error_code ignored;
  io_->socket.close(ignored);
  io_->timer.cancel();
}

// ---- Writing ----

void Session::Enqueue(std::string bytes) {
  if (state_ == State::kClosed || bytes.empty()) return;
  queued_bytes_ += bytes.size();
  if (queued_bytes_ > kMaxQueuedBytes) {
    KV_LOG(kWarn, "http") << "client " << remote_addr_ << " does not read its answers; closing";
    Close();
    return;
  }
  pending_.push_back(std::move(bytes));
  if (!writing_) DoWrite();
}

void Session::DoWrite() {
  writing_ = true;
  inflight_.swap(pending_);
  auto done = [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
    self->OnWrite(ec);
  };
  if (inflight_.size() == 1) {
    asio::async_write(io_->socket, asio::buffer(inflight_[0]), std::move(done));
    return;
  }
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(inflight_.size());
  for (const auto& s : inflight_) buffers.push_back(asio::buffer(s));
  asio::async_write(io_->socket, buffers, std::move(done));
}

void Session::OnWrite(const beast::error_code& ec) {
  writing_ = false;
  for (const auto& s : inflight_) queued_bytes_ -= s.size();
  inflight_.clear();
  if (state_ == State::kClosed) return;
  if (ec) {
    Close();
    return;
  }
  if (!pending_.empty()) {
    DoWrite();
  } else if (state_ == State::kClosing) {
    Linger();
  }
}

// All answers are out: end our side, then wait briefly for the client's end
// so that input it sent meanwhile does not reset the connection under it.
void Session::Linger() {
  beast::error_code ignored;
  io_->socket.shutdown(tcp::socket::shutdown_send, ignored);
  if (peer_eof_) {
    Close();
    return;
  }
  in_.consume(in_.size());
  SetDeadline(Clock::now() + kLingerTime);
  ArmRead();
}

// ---- Deadlines ----
// One timer per connection. It fires at most every read_header_timeout and
// compares against deadline_, so moving a deadline later costs nothing.

void Session::SetDeadline(Clock::time_point deadline) {
  deadline_ = deadline;
  if (deadline == Clock::time_point::max()) return;
  if (timer_armed_ && timer_expiry_ <= deadline) return;
  ArmTimer();
}

void Session::ArmTimer() {
  auto expiry = deadline_;
  if (options_->read_header_timeout.count() > 0) {
    expiry = std::min(expiry, Clock::now() + options_->read_header_timeout);
  }
  timer_expiry_ = expiry;
  timer_armed_ = true;
  io_->timer.expires_at(expiry);
  io_->timer.async_wait(
      [self = shared_from_this()](const beast::error_code& ec) { self->OnTimer(ec); });
}

void Session::OnTimer(const beast::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // re-armed or closed
  timer_armed_ = false;
  if (state_ == State::kClosed || deadline_ == Clock::time_point::max()) return;
  if (Clock::now() >= deadline_) {
    Close();  // a slow request head, an idle connection, or a lingering close
    return;
  }
  ArmTimer();
}

void Session::PostInOrder(std::function<void(Session&)> op) {
  std::lock_guard<std::mutex> lock(ops_mu_);
  ops_.push_back(std::move(op));
  if (ops_posted_) return;
  ops_posted_ = true;
  asio::post(executor(), [self = shared_from_this()] { self->RunQueuedOps(); });
}

void Session::RunQueuedOps() {
  {
    std::lock_guard<std::mutex> lock(ops_mu_);
    running_ops_.swap(ops_);
    ops_posted_ = false;
  }
  for (auto& op : running_ops_) op(*this);
  running_ops_.clear();  // keeps its capacity for the next swap
}

// ---- ExchangeImpl ----

template <typename Op>
void ExchangeImpl::Post(Op op) {
  const auto& hub = session_->hub();
  std::lock_guard<std::mutex> lock(hub->mu);
  if (hub->stopped) return;
  session_->PostInOrder([id = id_, op = std::move(op)](Session& s) mutable { op(s, id); });
}

ExchangeImpl::~ExchangeImpl() {
  if (finished_) return;
  Post([](Session& s, std::uint64_t id) { s.Abandon(id); });
}

void ExchangeImpl::Reply(Response response) {
  finished_ = true;
  // An answer given inside the handler (a local read) skips the queue.
  if (session_->CanRunNow()) return session_->Reply(id_, std::move(response));
  Post([r = std::move(response)](Session& s, std::uint64_t id) mutable {
    s.Reply(id, std::move(r));
  });
}

void ExchangeImpl::ReplyWith(std::function<Response()> build) {
  finished_ = true;
  Post([b = std::move(build)](Session& s, std::uint64_t id) { s.ReplyWith(id, b); });
}

void ExchangeImpl::StartStream(int status, Headers headers) {
  Post([status, h = std::move(headers)](Session& s, std::uint64_t id) mutable {
    s.StartStream(id, status, std::move(h));
  });
}

void ExchangeImpl::Write(std::string chunk) {
  Post([c = std::move(chunk)](Session& s, std::uint64_t id) mutable {
    s.Write(id, std::move(c));
  });
}

void ExchangeImpl::End() {
  finished_ = true;
  Post([](Session& s, std::uint64_t id) { s.End(id); });
}

void ExchangeImpl::OnClientGone(std::function<void()> cb) {
  Post([cb = std::move(cb)](Session& s, std::uint64_t id) mutable {
    s.SetOnClientGone(id, std::move(cb));
  });
}

}  // namespace http::internal
