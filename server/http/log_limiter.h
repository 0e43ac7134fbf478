// At most one log line per interval for one kind of event, so that a flood
// of hostile connections cannot flood the log: the next line says how many
// events were held back meanwhile.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace http {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogLimiter(std::chrono::milliseconds interval) : interval_(interval) {}

  // True when this event is to be logged; then *held_back is the number of
  // events not logged since the last line.
  bool Allow(Clock::time_point now, std::size_t* held_back);

  // Logs `message` as a warning of `component` if allowed now.
  void Warn(const char* component, const std::string& message);

 private:
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  bool logged_ = false;            // guarded by mu_
  Clock::time_point last_;         // guarded by mu_
  std::size_t held_back_ = 0;      // guarded by mu_
};

}  // namespace http
