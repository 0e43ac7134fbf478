// A blocking TCP client for the HTTP server tests: sends raw bytes and reads
// raw bytes with timeouts, so tests see exactly what the server writes.
// Not thread-safe: one thread per client.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace http::testing {

class RawClient {
 public:
  explicit RawClient(int port);  // connects to 127.0.0.1:port
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  void Send(std::string_view data);
  void ShutdownWrite();
  void Close();

  // Bytes up to and including `delim`; "" if it did not arrive in time.
  std::string ReadUntil(std::string_view delim,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // One whole response (head and Content-Length body, or chunked body through
  // its last chunk); "" on timeout. `head_only` for answers to HEAD.
  std::string ReadResponse(bool head_only = false);
  // True if the server closed the connection (end of stream or reset) within
  // the timeout, with no further bytes.
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Everything up to the server's close; "<open>" appended if it did not close
  // within the timeout.
  std::string ReadToClose(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True if nothing at all arrives within `wait` (the connection stays quiet).
  bool Quiet(std::chrono::milliseconds wait);

 private:
  // Reads more into buf_; false on timeout, end of stream or error.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool eof_ = false;
  std::string buf_;
};

// The Date header's value is the only part of an answer that varies: this
// replaces it with "<date>" after checking its shape.
std::string MaskDate(std::string response);

}  // namespace http::testing
