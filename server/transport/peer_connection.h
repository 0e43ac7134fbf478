// PeerConnection: one HTTP/1.1 connection to a peer's port on which POST
// requests (to /raft, /raft/snapshot) are pipelined: the sender writes request after request
// without waiting, and the answers come back in the same order. Every wait
// (connect, write, read) also watches a wake-up descriptor, so the owner can
// interrupt it at once (teardown, new messages to write).
//
// Plain http URLs only (the peer listener speaks no TLS). Answers must carry
// a Content-Length or have no body (204); anything else fails the
// connection.
//
// Threads: not thread-safe; owned by one sender thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace transport {

class PeerConnection {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Event {
    kProgress,  // bytes moved; `statuses` may hold new answers
    kWoken,     // the wake-up descriptor is readable (bytes may have moved too)
    kFailed,    // error, end of stream or deadline: the connection is closed
  };

  // `wake_fd` is an eventfd owned by the caller, who drains it after
  // Pump's kWoken. A connect in progress is only abandoned for `stopping()`;
  // other wake-ups it drains itself.
  PeerConnection(int wake_fd, std::function<bool()> stopping)
      : wake_fd_(wake_fd), stopping_(std::move(stopping)) {}
  ~PeerConnection() { Close(); }
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  // Connects to `url` ("http://host:port") before `deadline`; Unavailable on
  // failure or when stopping.
  common::Status Connect(const std::string& url, Clock::time_point deadline);
  // Tries every URL once, starting at `*preferred` (updated to the one that
  // connected), each for up to `timeout`; the last error when none did.
  common::Status ConnectAny(const std::vector<std::string>& urls, size_t* preferred, Clock::duration timeout);
  bool connected() const { return fd_ >= 0; }
  // With nothing in flight: true when the peer closed the connection (or
  // sent something unasked), so it must not be reused.
  bool Stale() const;
  void Close();

  enum class Idle {
    kWoken,     // the wake-up descriptor is readable
    kTimedOut,  // `deadline` passed
    kClosed,    // the peer closed the connection (or sent something unasked): closed now
  };
  // With nothing in flight: waits for the wake-up descriptor, the deadline or,
  // when connected, the peer closing the connection (a peer that exits).
  Idle WaitIdle(Clock::time_point deadline);

  // Queues one POST to `target` with these extra headers and a body made of
  // `body` one after the other.
  void QueueRequest(std::string_view target, const std::vector<std::pair<std::string, std::string>>& headers,
                    std::initializer_list<std::string_view> body);
  bool has_output() const { return out_offset_ < out_.size(); }

  // Writes what it can, reads what arrived and appends the status of every
  // complete answer to `statuses`, waiting until one of these happens or
  // `deadline`. On kFailed, `error` says why.
  Event Pump(Clock::time_point deadline, std::vector<int>* statuses, std::string* error);

 private:
  bool ParseAnswers(std::vector<int>* statuses, std::string* error);

  const int wake_fd_;
  const std::function<bool()> stopping_;
  int fd_ = -1;
  std::string host_port_;
  std::string out_;           // requests not yet written from out_offset_
  size_t out_offset_ = 0;
  std::string in_;            // bytes of answers not yet parsed
  bool close_after_ = false;  // the peer said Connection: close
};

}  // namespace transport
