// RawClient: see raw_client.h.
#include "tests/unit/http/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cctype>
#include <cstdlib>

namespace http::testing {

RawClient::RawClient(int port) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Close();
}

RawClient::~RawClient() { Close(); }

void RawClient::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void RawClient::Send(std::string_view data) {
  while (fd_ >= 0 && !data.empty()) {
    ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void RawClient::ShutdownWrite() { shutdown(fd_, SHUT_WR); }

bool RawClient::Fill(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || eof_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  buf_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::string RawClient::ReadUntil(std::string_view delim, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t pos;
  while ((pos = buf_.find(delim)) == std::string::npos) {
    if (!Fill(deadline)) return "";
  }
  std::string out = buf_.substr(0, pos + delim.size());
  buf_.erase(0, pos + delim.size());
  return out;
}

std::string RawClient::ReadResponse(bool head_only) {
  std::string head = ReadUntil("\r\n\r\n");
  if (head.empty() || head_only) return head;
  if (head.find("Transfer-Encoding: chunked\r\n") != std::string::npos) {
    std::string body = ReadUntil("\r\n0\r\n\r\n");
    return body.empty() ? "" : head + body;
  }
  auto field = head.find("Content-Length: ");
  if (field == std::string::npos) return head;
  std::size_t length = std::strtoul(head.c_str() + field + 16, nullptr, 10);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (buf_.size() < length) {
    if (!Fill(deadline)) return "";
  }
  std::string body = buf_.substr(0, length);
  buf_.erase(0, length);
  return head + body;
}

bool RawClient::WaitClosed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Fill(deadline)) {
  }
  return eof_ && buf_.empty();
}

std::string RawClient::ReadToClose(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (Fill(deadline)) {
  }
  std::string out = std::move(buf_);
  buf_.clear();
  return eof_ ? out : out + "<open>";
}

bool RawClient::Quiet(std::chrono::milliseconds wait) {
  return !Fill(std::chrono::steady_clock::now() + wait) && !eof_ && buf_.empty();
}

std::string MaskDate(std::string response) {
  // Like "Date: Sun, 22 Nov 2026 00:44:52 GMT": 'a' a letter, '0' a digit.
  static constexpr std::string_view kShape = "Date: aaa, 00 aaa 0000 00:00:00 GMT\r\n";
  auto pos = response.find("Date: ");
  if (pos == std::string::npos || response.size() < pos + kShape.size()) return response;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    auto c = static_cast<unsigned char>(response[pos + i]);
    bool ok = kShape[i] == 'a' ? std::isalpha(c) : kShape[i] == '0' ? std::isdigit(c)
                                                                    : c == kShape[i];
    if (!ok) return response;
  }
  return response.replace(pos, kShape.size(), "Date: <date>\r\n");
}

}  // namespace http::testing
