#include "server/http/log_limiter.h"

#include "common/log.h"

namespace http {

bool LogLimiter::Allow(Clock::time_point now, std::size_t* held_back) {
  std::lock_guard<std::mutex> lock(mu_);
  if (logged_ && now - last_ < interval_) {
    ++held_back_;
    return false;
  }
  logged_ = true;
  last_ = now;
  *held_back = held_back_;
  held_back_ = 0;
  return true;
}

void LogLimiter::Warn(const char* component, const std::string& message) {
  std::size_t held_back = 0;
  if (!Allow(Clock::now(), &held_back)) return;
  KV_LOG(kWarn, component) << message
                           << (held_back > 0 ? " (and " + std::to_string(held_back) +
                                                   " more like it not logged)"
                                             : std::string());
}

}  // namespace http
