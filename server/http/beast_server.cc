// http::Server on Boost.Asio: listeners, accept loops, I/O threads and an
// orderly stop. Connections are Sessions (session.h).
//
// Threads: Listen, Start, Stop and Ports are called by the owner (not from a
// handler). Each I/O thread runs its own io_context; a connection stays on
// the one it was given, so its code needs no locks.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "common/log.h"
#include "common/thread_name.h"
#include "server/http/http.h"
#include "server/http/session.h"
#include "server/http/wire.h"

namespace http {
namespace {

using internal::Hub;
using internal::Session;
using internal::tcp;
namespace asio = boost::asio;

// After a failed accept (say, out of file descriptors) wait before retrying.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
// TCP keep-alive probes, as Go's listeners send them (net.ListenConfig's
// 15 s default): a client that vanished without a word is noticed within
// minutes, and its watches and socket are freed.
constexpr int kKeepAliveSeconds = 15;

// Connections need one descriptor each; the soft limit is often far below
// the hard one. Returns the soft limit then in force (0 if unknown).
rlim_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur >= limit.rlim_max) return limit.rlim_cur;
  rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    KV_LOG(kWarn, "http") << "cannot raise the open-files limit";
    return before;
  }
  return limit.rlim_cur;
}

void EnableKeepAlive(tcp::socket& socket) {
  boost::system::error_code ec;
  socket.set_option(asio::socket_base::keep_alive(true), ec);
  if (ec) return;
  int seconds = kKeepAliveSeconds;
  setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &seconds, sizeof(seconds));
  setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &seconds, sizeof(seconds));
}

// Over the connection cap: a best-effort 503 without blocking, what the
// client already sent read away (so the close does not turn into a reset
// that could discard the answer), then the close.
void Refuse(tcp::socket socket) {
  boost::system::error_code ec;
  socket.non_blocking(true, ec);
  static const std::string kAnswer = wire::FormatError(wire::kTooManyConnections);
  socket.write_some(asio::buffer(kAnswer), ec);
  std::array<char, 4096> sink;
  for (int i = 0; i < 4 && !ec; ++i) socket.read_some(asio::buffer(sink), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

// Go prints system errors in lower case: "bind: address already in use".
std::string GoError(const boost::system::error_code& ec) {
  std::string m = ec.message();
  if (!m.empty()) m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
  return m;
}

std::string EndpointString(const tcp::endpoint& ep) {
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  std::string port = std::to_string(ep.port());
  return addr.is_v6() ? "[" + addr.to_string() + "]:" + port : addr.to_string() + ":" + port;
}

// Splits "host:port" / "[v6]:port". False if malformed.
bool SplitHostPort(const std::string& host_port, std::string* host, int* port) {
  std::string port_str;
  if (!host_port.empty() && host_port[0] == '[') {
    auto close = host_port.find(']');
    if (close == std::string::npos || close + 1 >= host_port.size() ||
        host_port[close + 1] != ':') {
      return false;
    }
    *host = host_port.substr(1, close - 1);
    port_str = host_port.substr(close + 2);
  } else {
    auto colon = host_port.rfind(':');
    if (colon == std::string::npos) return false;
    *host = host_port.substr(0, colon);
    if (host->find(':') != std::string::npos) return false;  // a v6 literal needs brackets
    port_str = host_port.substr(colon + 1);
  }
  if (port_str.empty() || port_str.size() > 5) return false;
  for (char c : port_str) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  *port = std::stoi(port_str);
  return *port <= 65535;
}

class ServerImpl final : public Server {
 public:
  ServerImpl(Handler handler, ServerOptions options)
      : handler_(std::move(handler)), options_(std::move(options)) {
    options_.threads = std::max(1, options_.threads);
    for (int i = 0; i < options_.threads; ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      guards_.push_back(asio::make_work_guard(*contexts_.back()));
    }
  }
  ~ServerImpl() override { Stop(); }

  common::Status Bind(const std::string& host_port);
  void Start() override;
  void Stop() override;
  std::vector<int> Ports() const override { return ports_; }

 private:
  struct Listener {
    tcp::acceptor acceptor;
    asio::steady_timer backoff;
    std::string name;
  };

  common::Result<tcp::endpoint> Resolve(const std::string& host_port);
  void Accept(Listener* listener);
  void AcceptLater(Listener* listener);
  void OnAccepted(tcp::socket socket);
  std::vector<std::shared_ptr<Session>> LiveSessions();

  Handler handler_;
  ServerOptions options_;
  std::shared_ptr<Hub> hub_ = std::make_shared<Hub>();
  LogLimiter accept_log_{std::chrono::seconds(10)};
  // Declared before what runs on them, so they are destroyed last.
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::vector<int> ports_;
  std::vector<std::thread> threads_;
  std::atomic<unsigned> next_context_{0};  // round robin of new connections
  std::mutex lifecycle_mu_;                // serializes Start and Stop
  bool started_ = false;                   // guarded by lifecycle_mu_
  bool stopped_ = false;                   // guarded by lifecycle_mu_
};

common::Result<tcp::endpoint> ServerImpl::Resolve(const std::string& host_port) {
  std::string host;
  int port = 0;
  if (!SplitHostPort(host_port, &host, &port)) {
    return common::Status::InvalidArgument("listen tcp " + host_port + ": bad address");
  }
  auto port16 = static_cast<unsigned short>(port);
  if (host.empty()) return tcp::endpoint(tcp::v6(), port16);  // all addresses, dual stack
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(addr, port16);
  // A name: like Go, listen on its first IPv4 address, else its first.
  tcp::resolver resolver(*contexts_[0]);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return common::Status::InvalidArgument("listen tcp " + host_port + ": lookup " + host +
                                           ": " + (ec ? GoError(ec) : "no such host"));
  }
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint();
  }
  return results.begin()->endpoint();
}

common::Status ServerImpl::Bind(const std::string& host_port) {
  auto endpoint = Resolve(host_port);
  if (!endpoint.ok()) return endpoint.status();
  auto listener = std::make_unique<Listener>(
      Listener{tcp::acceptor(*contexts_[0]), asio::steady_timer(*contexts_[0]), host_port});
  tcp::acceptor& acceptor = listener->acceptor;
  boost::system::error_code ec;
  std::string step = "socket";
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && endpoint->address().is_v6() && endpoint->address().is_unspecified()) {
    acceptor.set_option(asio::ip::v6_only(false), ec);
  }
  if (!ec) {
    step = "bind";
    acceptor.bind(*endpoint, ec);
  }
  if (!ec) {
    step = "listen";
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return common::Status::IOError("listen tcp " + host_port + ": " + step + ": " + GoError(ec));
  }
  ports_.push_back(acceptor.local_endpoint().port());
  listeners_.push_back(std::move(listener));
  return common::Status::OK();
}

void ServerImpl::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (started_ || stopped_) return;
  started_ = true;
  for (auto& listener : listeners_) Accept(listener.get());
  // Named after the first port, so the client and the peer servers' threads differ.
  std::string prefix = "http-" + (ports_.empty() ? std::string("io") : std::to_string(ports_[0])) + "-";
  for (size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([ctx = contexts_[i].get(), name = prefix + std::to_string(i)] {
      common::SetThreadName(name);
      // Sessions catch what their handlers throw; this is the last resort
      // for anything else, so that the thread and its connections go on.
      while (true) {
        try {
          ctx->run();
          return;
        } catch (const std::exception& e) {
          KV_LOG(kError, "http") << "I/O thread " << name << ": " << e.what();
        } catch (...) {
          KV_LOG(kError, "http") << "I/O thread " << name << ": unknown exception";
        }
      }
    });
  }
}

void ServerImpl::Accept(Listener* listener) {
  auto& target = *contexts_[next_context_++ % contexts_.size()];
  listener->acceptor.async_accept(
      target, [this, listener](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !listener->acceptor.is_open()) return;
        try {
          if (ec) {
            // Out of descriptors, say: the backlog keeps the connections.
            accept_log_.Warn("http", "accept on " + listener->name + ": " + ec.message());
            AcceptLater(listener);
            return;
          }
          OnAccepted(std::move(socket));
          Accept(listener);
        } catch (const std::exception& e) {
          accept_log_.Warn("http", "accept on " + listener->name + ": " + e.what());
          AcceptLater(listener);
        }
      });
}

void ServerImpl::AcceptLater(Listener* listener) {
  listener->backoff.expires_after(kAcceptBackoff);
  listener->backoff.async_wait([this, listener](const boost::system::error_code& e) {
    if (!e) Accept(listener);
  });
}

void ServerImpl::OnAccepted(tcp::socket socket) {
  boost::system::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  // Accepts run on one thread, so the count cannot pass the cap in between.
  if (options_.max_connections > 0 && hub_->open_sockets.load() >= options_.max_connections) {
    hub_->refused_log.Warn("http", "refused a connection from " + EndpointString(peer) + ": " +
                                       std::to_string(options_.max_connections) +
                                       " connections open already");
    Refuse(std::move(socket));
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  EnableKeepAlive(socket);
  auto session =
      Session::Create(std::move(socket), EndpointString(peer), hub_, &handler_, &options_);
  if (session) asio::post(session->executor(), [session] { session->Start(); });
}

std::vector<std::shared_ptr<Session>> ServerImpl::LiveSessions() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard<std::mutex> lock(hub_->mu);
  for (const auto& weak : hub_->sessions) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

void ServerImpl::Stop() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (stopped_) return;
  stopped_ = true;
  {
    // From here on, Exchange calls are ignored and no session is created.
    std::lock_guard<std::mutex> hub_lock(hub_->mu);
    hub_->stopped = true;
  }
  for (auto& listener : listeners_) {
    asio::post(listener->acceptor.get_executor(), [l = listener.get()] {
      boost::system::error_code ignored;
      l->acceptor.close(ignored);
      l->backoff.cancel();
    });
  }
  for (auto& session : LiveSessions()) {
    asio::post(session->executor(), [session] { session->Shutdown(); });
  }
  // Each io_context runs out of work once its sockets are closed.
  guards_.clear();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  // Sessions still held by parked Exchanges drop their sockets and timers
  // now, while the io_contexts they belong to still exist.
  for (auto& session : LiveSessions()) session->ReleaseIo();
  listeners_.clear();
  contexts_.clear();
}

}  // namespace

std::size_t CapToOpenFiles(std::size_t wanted, std::size_t reserved, const std::string& flag) {
  rlim_t limit = RaiseOpenFileLimit();
  if (limit == 0 || limit == RLIM_INFINITY || wanted == 0) return wanted;
  std::size_t room = limit > reserved + 1 ? static_cast<std::size_t>(limit) - reserved : 1;
  if (wanted <= room) return wanted;
  KV_LOG(kWarn, "http") << "--" << flag << " " << wanted << " lowered to " << room
                        << ": the open-files limit is " << limit << " and " << reserved
                        << " descriptors stay free for peers and files";
  return room;
}

common::Result<std::unique_ptr<Server>> Server::Listen(const std::vector<std::string>& host_ports,
                                                       Handler handler, ServerOptions options) {
  RaiseOpenFileLimit();
  auto server = std::make_unique<ServerImpl>(std::move(handler), std::move(options));
  for (const auto& host_port : host_ports) {
    auto status = server->Bind(host_port);
    if (!status.ok()) return status;
  }
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace http
