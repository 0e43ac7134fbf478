// One connection of the Beast server: reads and parses requests, calls the
// handler, writes answers in order, notices clients that leave. See session.h.
//
// A connection handles one request at a time, which keeps pipelined answers in
// order: bytes that arrive meanwhile are buffered (up to a bound) and parsed
// when the current exchange ends. While an exchange is pending a read stays
// armed, so a client that hangs up is noticed; once the bound is reached the
// kernel is asked instead. Every completion handler runs guarded: whatever it
// throws closes its own connection, never the I/O thread.
#include "server/http/session.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <exception>
#include <utility>

#include <boost/asio/post.hpp>

#include "common/log.h"

namespace http::internal {
namespace {

// Pipelined bytes buffered while an exchange is pending.
constexpr std::size_t kMaxBufferedWhileBusy = 64 * 1024;
// Answer bytes queued for a client that reads too slowly (a stream's chunks
// pile up): past this, close. One answer alone may be larger.
constexpr std::size_t kMaxQueuedBytes = 16 * 1024 * 1024;
// A pipelined request is taken up only once earlier answers are out to this.
constexpr std::size_t kMaxBacklogForNextRequest = 1024 * 1024;
// An answer body larger than this is written from its own string after the
// head, not copied behind it.
constexpr std::size_t kCopiedBodyBytes = 64 * 1024;
// Buffers given to one write call.
constexpr std::size_t kMaxWriteBuffers = 64;
// Read buffers that grew for a large request shrink back past this.
constexpr std::size_t kKeptBufferCapacity = 64 * 1024;
// How long a closing connection waits for the client to read the answer
// before its unread input turns the close into a reset (Go waits 500 ms).
constexpr std::chrono::milliseconds kLingerTime{500};
// How often the kernel is asked whether a client we do not read from left.
constexpr std::chrono::seconds kPausedCheckInterval{1};

// The session whose handler this thread is running, if any (see CanRunNow).
thread_local const Session* t_handler_session = nullptr;

// Sets t_handler_session for a handler call, however the call ends.
class HandlerScope {
 public:
  explicit HandlerScope(const Session* s) : outer_(std::exchange(t_handler_session, s)) {}
  ~HandlerScope() { t_handler_session = outer_; }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

 private:
  const Session* outer_;
};

std::chrono::steady_clock::time_point After(std::chrono::seconds timeout) {
  return timeout.count() > 0 ? std::chrono::steady_clock::now() + timeout
                             : std::chrono::steady_clock::time_point::max();
}

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
      limits_(ParseLimits::For(*options)),
      in_(options->max_header_bytes + kHeaderSlack + kMaxBufferedWhileBusy) {
  auto executor = socket.get_executor();
  io_.emplace(Io{std::move(socket), asio::steady_timer(executor)});
  registration_ = hub_->sessions.end();
  socket_counted_ = true;
  ++hub_->open_sockets;
}

Session::~Session() {
  if (socket_counted_) --hub_->open_sockets;
  hub_->arriving_body_bytes -= counted_body_;
  std::lock_guard<std::mutex> lock(hub_->mu);
  if (registration_ != hub_->sessions.end()) hub_->sessions.erase(registration_);
}

template <typename Step>
void Session::Guarded(const char* what, Step&& step) noexcept {
  try {
    step();
  } catch (const std::exception& e) {
    Abort(what, e.what());
  } catch (...) {
    Abort(what, "unknown exception");
  }
}

void Session::Abort(const char* what, const char* error) noexcept {
  try {
    hub_->closed_log.Warn("http", std::string(what) + " for client " + remote_addr_ +
                                      " failed: " + error + "; connection closed");
    Close();
  } catch (...) {
    // Close failed half-way (in the client-gone callback): drop what is left.
    on_client_gone_ = nullptr;
    state_ = State::kClosed;
    CloseSocket();
  }
}

void Session::Start() {
  Guarded("start", [&] {
    // The first request's head is due within read_header_timeout of the
    // accept, as in Go: a connection that sends nothing is no idle one.
    BeginRequest();
    ParseBuffered();
  });
}

void Session::Shutdown() {
  Guarded("close", [&] { Close(); });
}

void Session::ReleaseIo() {
  on_client_gone_ = nullptr;
  io_.reset();
  if (socket_counted_) {
    socket_counted_ = false;
    --hub_->open_sockets;
  }
}

// ---- Reading and parsing ----

void Session::BeginRequest() {
  parser_.emplace(limits_);
  if (options_->read_header_timeout.count() > 0) SetDeadline(After(options_->read_header_timeout));
}

void Session::ArmRead() {
  if (reading_ || peer_eof_ || state_ == State::kClosed) return;
  if (in_.size() >= in_.max_size()) return;
  if (state_ == State::kExchange && in_.size() >= kMaxBufferedWhileBusy) {
    // Read again once the exchange ends; meanwhile the timer asks the kernel
    // whether the client is still there.
    if (!read_paused_) {
      read_paused_ = true;
      UpdateTimer();
    }
    return;
  }
  read_paused_ = false;
  reading_ = true;
  // Into a buffer of its own, not in_.prepare(): a pipelined request already
  // in in_ may be parsed (in_ consumed, reset or shrunk) while this read is
  // outstanding, which would leave the read writing into stale memory.
  std::size_t room = std::min(read_buf_.size(), in_.max_size() - in_.size());
  io_->socket.async_read_some(
      asio::buffer(read_buf_.data(), room),
      [self = shared_from_this()](const beast::error_code& ec, std::size_t n) {
        self->Guarded("reading a request", [&] { self->OnRead(ec, n); });
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
  if (state_ == State::kClosed) return;
  if (!parser_) {
    if (in_.size() == 0 && !peer_eof_) {
      ArmRead();
      return;
    }
    BeginRequest();
  }
  while (true) {
    switch (parser_->Parse(in_)) {
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
        FailRequest(parser_->Refusal());
        return;
    }
    break;
  }
  if (!CountArrivingBody()) {
    hub_->closed_log.Warn("http", "refused the body of a request from " + remote_addr_ +
                                      ": too many request bodies arriving");
    FailRequest(wire::kTooManyBodies);
    return;
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
  if (parser_->ExpectsContinue()) Enqueue(std::string(wire::kContinue));
  SetDeadline(After(options_->idle_timeout));
}

// Counts what the current request's body holds so far against the budget
// shared by all connections; false when the budget is exceeded.
bool Session::CountArrivingBody() {
  const std::size_t held = parser_->request().body.size();
  if (held <= counted_body_) return true;
  const std::size_t total = hub_->arriving_body_bytes += held - counted_body_;
  counted_body_ = held;
  return options_->body_budget_bytes == 0 || total <= options_->body_budget_bytes;
}

void Session::UncountArrivingBody() {
  hub_->arriving_body_bytes -= counted_body_;
  counted_body_ = 0;
}

void Session::Dispatch(bool body_too_large) {
  UncountArrivingBody();
  Request req = parser_->Take(body_too_large, remote_addr_, &framing_);
  parser_.reset();

  state_ = State::kExchange;
  exchange_ = ExchangeState::kPending;
  client_gone_ = false;
  chunked_ = false;
  SetDeadline(Clock::time_point::max());
  auto exchange = std::make_shared<ExchangeImpl>(shared_from_this(), ++exchange_id_);
  std::optional<std::string> threw;
  {
    HandlerScope scope(this);
    try {
      (*handler_)(std::move(req), std::move(exchange));
    } catch (const std::exception& e) {
      threw = e.what();
    } catch (...) {
      threw = "unknown exception";
    }
  }
  if (threw) {
    next_request_due_ = false;
    KV_LOG(kError, "http") << "handler threw for client " << remote_addr_ << ": " << *threw;
    Close();
    return;
  }
  if (next_request_due_) {
    // Answered within the handler. A buffered (pipelined) request is taken
    // up through the executor, so that a long pipeline is not served by
    // recursion.
    next_request_due_ = false;
    if (in_.size() == 0) {
      ResumeAfterExchange();
    } else {
      asio::post(executor(), [self = shared_from_this()] {
        self->Guarded("reading a request", [&] {
          if (self->state_ != State::kClosed) self->ResumeAfterExchange();
        });
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
  UncountArrivingBody();
  parser_.reset();
  state_ = State::kClosing;
  Enqueue(wire::FormatError(public_error));
}

// ---- Exchange ----

bool Session::Current(std::uint64_t id) const {
  return state_ == State::kExchange && id == exchange_id_;
}

void Session::Reply(std::uint64_t id, Response response) {
  if (!Current(id) || exchange_ != ExchangeState::kPending) return;
  EnqueueReply(std::move(response));
  if (state_ != State::kClosed) FinishExchange();
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
  if (chunked_ && !Enqueue(std::string(wire::kLastChunk))) return;
  FinishExchange();
}

void Session::WhenSent(std::uint64_t id, std::function<void()> cb) {
  if (!Current(id) || state_ == State::kClosed) return;
  if (writing_ || !pending_.empty()) {
    after_sent_.push_back(std::move(cb));
    return;
  }
  cb();
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
  ResumeAfterExchange();
}

// A client that does not read its answers gets no more of them: a pipelined
// request waits until the earlier answers are mostly out (OnWrite resumes).
void Session::ResumeAfterExchange() {
  if (queued_bytes_ > kMaxBacklogForNextRequest) {
    awaiting_drain_ = true;
    return;
  }
  NextRequest();
}

void Session::NextRequest() {
  if (state_ == State::kClosed) return;
  awaiting_drain_ = false;
  state_ = State::kReading;
  read_paused_ = false;
  if (in_.size() == 0 && in_.capacity() > kKeptBufferCapacity) in_.shrink_to_fit();
  SetDeadline(After(options_->idle_timeout));
  ParseBuffered();
}

// A client whose pipelined bytes filled the buffer is not read from, so its
// hang-up would go unseen: the kernel knows whether it sent an end of stream
// (as good as gone, as for a read) or reset the connection.
void Session::CheckPausedClient() {
  tcp_info info{};
  socklen_t len = sizeof(info);
  if (getsockopt(io_->socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return;
  if (info.tcpi_state == TCP_ESTABLISHED) return;
  if (info.tcpi_state == TCP_CLOSE_WAIT) {
    ClientGone();
    return;
  }
  Close();
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  ClientGone();
  state_ = State::kClosed;
  exchange_ = ExchangeState::kNone;
  on_client_gone_ = nullptr;
  UncountArrivingBody();
  parser_.reset();
  pending_.clear();
  after_sent_.clear();
  in_.consume(in_.size());  // pipelined requests end with the connection
  awaiting_drain_ = false;
  read_paused_ = false;
  CloseSocket();
}

void Session::CloseSocket() {
  if (!io_) return;
  beast::error_code ignored;
  io_->socket.close(ignored);
  io_->timer.cancel();
  if (socket_counted_) {
    socket_counted_ = false;
    --hub_->open_sockets;
  }
}

// ---- Writing ----

bool Session::Enqueue(std::string bytes) {
  if (state_ == State::kClosed) return false;
  if (bytes.empty()) return true;
  if (queued_bytes_ >= kMaxQueuedBytes) {
    hub_->closed_log.Warn("http", "client " + remote_addr_ +
                                      " does not read its answers; connection closed");
    Close();
    return false;
  }
  queued_bytes_ += bytes.size();
  pending_.push_back(std::move(bytes));
  if (!writing_) {
    writing_ = true;
    write_deadline_ = After(options_->write_timeout);
    UpdateTimer();
    DoWrite();
  }
  return true;
}

void Session::EnqueueReply(Response response) {
  if (response.body.size() <= kCopiedBodyBytes || !wire::SendsBody(response.status, framing_)) {
    Enqueue(wire::FormatReply(response, framing_));
    return;
  }
  if (Enqueue(wire::FormatReplyHead(response, framing_))) Enqueue(std::move(response.body));
}

// Writes what it can of inflight_ (refilled from pending_ once all written);
// each call that makes progress moves the write deadline.
void Session::DoWrite() {
  if (write_index_ == inflight_.size()) {
    inflight_.clear();
    inflight_.swap(pending_);
    write_index_ = 0;
    write_offset_ = 0;
  }
  write_buffers_.clear();
  for (std::size_t i = write_index_; i < inflight_.size() && write_buffers_.size() < kMaxWriteBuffers;
       ++i) {
    std::size_t offset = i == write_index_ ? write_offset_ : 0;
    write_buffers_.push_back(asio::buffer(inflight_[i].data() + offset, inflight_[i].size() - offset));
  }
  io_->socket.async_write_some(
      write_buffers_, [self = shared_from_this()](const beast::error_code& ec, std::size_t n) {
        self->Guarded("writing an answer", [&] { self->OnWrite(ec, n); });
      });
}

void Session::OnWrite(const beast::error_code& ec, std::size_t n) {
  queued_bytes_ -= std::min(n, queued_bytes_);
  while (n > 0 && write_index_ < inflight_.size()) {
    std::size_t left = inflight_[write_index_].size() - write_offset_;
    if (n < left) {
      write_offset_ += n;
      break;
    }
    n -= left;
    ++write_index_;
    write_offset_ = 0;
  }
  if (state_ == State::kClosed || ec) {
    writing_ = false;
    inflight_.clear();  // no write refers to them any more
    write_index_ = 0;
    write_offset_ = 0;
    Close();
    return;
  }
  if (write_index_ < inflight_.size() || !pending_.empty()) {
    write_deadline_ = After(options_->write_timeout);
    DoWrite();
  } else {
    writing_ = false;
    write_deadline_ = Clock::time_point::max();
    inflight_.clear();
    write_index_ = 0;
    write_offset_ = 0;
    std::vector<std::function<void()>> sent;
    sent.swap(after_sent_);
    for (auto& cb : sent) cb();
  }
  if (awaiting_drain_ && queued_bytes_ <= kMaxBacklogForNextRequest) {
    NextRequest();
  } else if (!writing_ && state_ == State::kClosing) {
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
// One timer per connection, armed for the earliest of: the read deadline
// (request head, body, idle, linger), the write deadline while answers are
// being written, and the next check of a client that is not read from.
// Moving a deadline later costs nothing: the timer fires, finds nothing due
// and re-arms.

void Session::SetDeadline(Clock::time_point deadline) {
  deadline_ = deadline;
  UpdateTimer();
}

void Session::UpdateTimer() {
  if (!io_) return;
  Clock::time_point next = deadline_;
  if (writing_) next = std::min(next, write_deadline_);
  if (read_paused_) next = std::min(next, Clock::now() + kPausedCheckInterval);
  if (next == Clock::time_point::max()) return;
  if (timer_armed_ && timer_expiry_ <= next) return;
  timer_expiry_ = next;
  timer_armed_ = true;
  io_->timer.expires_at(next);
  io_->timer.async_wait([self = shared_from_this()](const beast::error_code& ec) {
    self->Guarded("a connection's timer", [&] { self->OnTimer(ec); });
  });
}

void Session::OnTimer(const beast::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;  // re-armed or closed
  timer_armed_ = false;
  if (state_ == State::kClosed) return;
  const Clock::time_point now = Clock::now();
  if (writing_ && now >= write_deadline_) {
    hub_->closed_log.Warn("http", "client " + remote_addr_ + " took no answer bytes for " +
                                      std::to_string(options_->write_timeout.count()) +
                                      "s; connection closed");
    // A reset, so the kernel drops the unsent bytes at once too.
    beast::error_code ignored;
    io_->socket.set_option(asio::socket_base::linger(true, 0), ignored);
    Close();
    return;
  }
  if (now >= deadline_) {
    Close();  // a slow request head, an idle connection, or a lingering close
    return;
  }
  if (read_paused_) {
    CheckPausedClient();
    if (state_ == State::kClosed) return;
  }
  UpdateTimer();
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
  Guarded("answering a request", [&] {
    for (auto& op : running_ops_) op(*this);
  });
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

void ExchangeImpl::WhenSent(std::function<void()> cb) {
  Post([cb = std::move(cb)](Session& s, std::uint64_t id) mutable { s.WhenSent(id, std::move(cb)); });
}

void ExchangeImpl::OnClientGone(std::function<void()> cb) {
  Post([cb = std::move(cb)](Session& s, std::uint64_t id) mutable {
    s.SetOnClientGone(id, std::move(cb));
  });
}

}  // namespace http::internal
