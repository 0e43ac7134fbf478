// LogLimiter: lets at most `lines` log lines through per `interval` for one
// kind of event and counts the rest, so a flood of bad requests cannot fill
// the disk while the first of them (and how many followed) are still seen.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace common {

class LogLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  LogLimiter(size_t lines, Clock::duration interval) : lines_(lines), interval_(interval) {}
  LogLimiter(const LogLimiter&) = delete;
  LogLimiter& operator=(const LogLimiter&) = delete;

  // True when a line may be written now; then *held_back is the number of
  // lines refused since the last one let through.
  bool Allow(uint64_t* held_back) {
    std::lock_guard<std::mutex> lock(mu_);
    Clock::time_point now = Clock::now();
    if (now - window_start_ >= interval_) {
      window_start_ = now;
      used_ = 0;
    }
    if (used_ >= lines_) {
      ++held_back_;
      return false;
    }
    ++used_;
    *held_back = held_back_;
    held_back_ = 0;
    return true;
  }

 private:
  const size_t lines_;
  const Clock::duration interval_;
  std::mutex mu_;
  Clock::time_point window_start_{};  // GUARDED_BY(mu_)
  size_t used_ = 0;                   // GUARDED_BY(mu_)
  uint64_t held_back_ = 0;            // GUARDED_BY(mu_)
};

}  // namespace common
