#include "server/transport/peer_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <strings.h>

#include "common/log.h"
#include "common/url.h"

namespace transport {
namespace {

using common::Status;

constexpr size_t kMaxAnswerHead = 16 << 10;
// /raft answers carry at most a line of text; a longer body is not a peer's.
constexpr size_t kMaxAnswerBody = 64 << 10;
constexpr size_t kReadChunk = 16 << 10;
// Written buffers are kept for reuse up to this size.
constexpr size_t kKeptOutput = 1 << 20;

int MillisUntil(PeerConnection::Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - PeerConnection::Clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 60000));
}

constexpr int kReady = 1;  // Wait: `fd` has one of the events
constexpr int kWoke = 2;   // Wait: the wake-up descriptor is readable
constexpr int kPollError = 4;

// Waits for `events` on `fd` and/or the wake-up descriptor until `deadline`:
// a mask of kReady and kWoke (0 at the deadline), or kPollError.
int Wait(int fd, short events, int wake_fd, PeerConnection::Clock::time_point deadline) {
  pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
  while (true) {
    int n = ::poll(fds, 2, MillisUntil(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return kPollError;
    return (fds[0].revents != 0 ? kReady : 0) | (fds[1].revents != 0 ? kWoke : 0);
  }
}

void DrainEventFd(int fd) {
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(fd, &count, sizeof count);
}

// Finds the value of header `name` (case-insensitive) in an answer head.
bool FindHeader(const std::string& head, const char* name, std::string* value) {
  size_t len = std::strlen(name);
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    if (end - start > len && head[start + len] == ':' && ::strncasecmp(head.c_str() + start, name, len) == 0) {
      size_t v = start + len + 1;
      while (v < end && (head[v] == ' ' || head[v] == '\t')) ++v;
      *value = head.substr(v, end - v);
      return true;
    }
    pos = end;
  }
  return false;
}

}  // namespace

Status PeerConnection::Connect(const std::string& url, Clock::time_point deadline) {
  Close();
  auto parsed = common::ParseUrl(url);
  if (!parsed.ok()) return Status::Unavailable(parsed.status().message());
  if (parsed->scheme != "http") return Status::Unavailable("unsupported peer URL scheme: " + url);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = parsed->port.empty() ? "80" : parsed->port;
  int gai = ::getaddrinfo(parsed->host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) return Status::Unavailable("cannot resolve " + url + ": " + ::gai_strerror(gai));
  std::string error = "no address";
  for (addrinfo* ai = res; ai != nullptr && fd_ < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      int w;
      while ((w = Wait(fd, POLLOUT, wake_fd_, deadline)) == kWoke && !stopping_()) DrainEventFd(wake_fd_);
      if ((w & kWoke) != 0 && stopping_()) {
        ::close(fd);
        ::freeaddrinfo(res);
        return Status::Unavailable("stopped");
      }
      int err = (w & kReady) != 0 ? 0 : w == kPollError ? errno : ETIMEDOUT;
      socklen_t len = sizeof err;
      if ((w & kReady) != 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc == 0) {
      fd_ = fd;
    } else {
      error = std::strerror(errno);
      ::close(fd);
    }
  }
  ::freeaddrinfo(res);
  if (fd_ < 0) return Status::Unavailable("cannot connect to " + url + ": " + error);
  host_port_ = parsed->host_port;
  return Status::OK();
}

Status PeerConnection::ConnectAny(const std::vector<std::string>& urls, size_t* preferred, Clock::duration timeout) {
  Status last = Status::Unavailable("no peer URL");
  for (size_t i = 0; i < urls.size(); ++i) {
    size_t index = (*preferred + i) % urls.size();
    last = Connect(urls[index], Clock::now() + timeout);
    if (last.ok()) {
      *preferred = index;
      return last;
    }
    if (stopping_()) return last;
    KV_LOG(kDebug, "rafthttp") << "failed to connect to " << urls[index] << ": " << last.message();
  }
  return last;
}

bool PeerConnection::Stale() const {
  pollfd fd{fd_, POLLIN, 0};
  return fd_ < 0 || ::poll(&fd, 1, 0) != 0;
}

PeerConnection::Idle PeerConnection::WaitIdle(Clock::time_point deadline) {
  // poll ignores a negative descriptor: unconnected, only the wake-up counts.
  int w = Wait(fd_, POLLIN | POLLRDHUP, wake_fd_, deadline);
  if (fd_ >= 0 && (w == kPollError || (w & kReady) != 0)) {
    Close();
    return Idle::kClosed;
  }
  return (w & kWoke) != 0 ? Idle::kWoken : Idle::kTimedOut;
}

void PeerConnection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  out_.clear();
  out_offset_ = 0;
  in_.clear();
  close_after_ = false;
}

void PeerConnection::QueueRequest(std::string_view target,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::initializer_list<std::string_view> body) {
  size_t length = 0;
  for (std::string_view part : body) length += part.size();
  out_ += "POST ";
  out_ += target;
  out_ += " HTTP/1.1\r\nHost: " + host_port_ + "\r\n";
  for (const auto& [name, value] : headers) out_ += name + ": " + value + "\r\n";
  out_ += "Content-Type: application/octet-stream\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  for (std::string_view part : body) out_ += part;
}

PeerConnection::Event PeerConnection::Pump(Clock::time_point deadline, std::vector<int>* statuses,
                                           std::string* error) {
  auto fail = [&](std::string why) {
    *error = std::move(why);
    Close();
    return Event::kFailed;
  };
  if (fd_ < 0) return fail("not connected");
  short events = POLLIN | (has_output() ? POLLOUT : 0);
  int w = Wait(fd_, events, wake_fd_, deadline);
  if (w == kPollError) return fail(std::string("poll: ") + std::strerror(errno));
  if (w == 0) return fail("timed out waiting for the peer");
  // The socket first: a busy stream of wake-ups must not starve it.
  if ((w & kReady) == 0) return Event::kWoken;
  Event done = (w & kWoke) != 0 ? Event::kWoken : Event::kProgress;
  if (has_output()) {
    ssize_t n = ::send(fd_, out_.data() + out_offset_, out_.size() - out_offset_, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return fail(std::string("write: ") + std::strerror(errno));
    if (n > 0) out_offset_ += static_cast<size_t>(n);
    if (!has_output()) {
      out_offset_ = 0;
      if (out_.capacity() > kKeptOutput) {
        std::string().swap(out_);
      } else {
        out_.clear();
      }
    }
  }
  char buf[kReadChunk];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n == 0) return fail("the peer closed the connection");
  if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return fail(std::string("read: ") + std::strerror(errno));
  if (n > 0) in_.append(buf, static_cast<size_t>(n));
  std::string why;
  if (!ParseAnswers(statuses, &why)) return fail(why);
  if (close_after_ && !has_output()) {
    Close();  // answered; the next request opens a new connection
  }
  return done;
}

bool PeerConnection::ParseAnswers(std::vector<int>* statuses, std::string* error) {
  while (true) {
    size_t head_end = in_.find("\r\n\r\n");
    if (head_end == std::string::npos) {
      if (in_.size() > kMaxAnswerHead) {
        *error = "answer head too long";
        return false;
      }
      return true;
    }
    std::string head = in_.substr(0, head_end);
    int status = 0;
    size_t space = head.find(' ');
    if (head.compare(0, 5, "HTTP/") != 0 || space == std::string::npos ||
        std::sscanf(head.c_str() + space, " %3d", &status) != 1 || status < 100) {
      *error = "malformed answer";
      return false;
    }
    size_t body = 0;
    std::string value;
    if (FindHeader(head, "Content-Length", &value)) {
      if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos ||
          (body = std::stoul(value)) > kMaxAnswerBody) {
        *error = "bad or too large Content-Length in answer: " + value.substr(0, 32);
        return false;
      }
    } else if (status != 204 && status != 304 && status / 100 != 1) {
      *error = "answer without Content-Length";
      return false;
    }
    if (FindHeader(head, "Connection", &value) && ::strcasecmp(value.c_str(), "close") == 0) close_after_ = true;
    if (in_.size() < head_end + 4 + body) return true;
    in_.erase(0, head_end + 4 + body);
    if (status / 100 != 1) statuses->push_back(status);
  }
}

}  // namespace transport
