// Minimal leveled logging to stderr, one line per call, in the shape
//   2026-11-22T00:40:53.123456Z I | component: message
// Thread-safe (each line is written with one write(2)).
#pragma once

#include <sstream>
#include <string>

namespace common {

enum class LogLevel { kDebug = 0, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
// Parses "debug|info|warn|error"; false if unknown.
bool ParseLogLevel(const std::string& s, LogLevel* out);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, const std::string& component, const std::string& message);

}  // namespace common

// KV_LOG(kInfo, "raft") << "became leader at term " << term;
#define KV_LOG(level, component)                                              \
  for (bool kv_log_once_ = ::common::LogEnabled(::common::LogLevel::level);   \
       kv_log_once_; kv_log_once_ = false)                                    \
  ::common::detail::LogStream(::common::LogLevel::level, component).stream()

namespace common::detail {
class LogStream {
 public:
  LogStream(LogLevel level, const char* component) : level_(level), component_(component) {}
  ~LogStream() { LogLine(level_, component_, out_.str()); }
  std::ostringstream& stream() { return out_; }

 private:
  LogLevel level_;
  const char* component_;
  std::ostringstream out_;
};
}  // namespace common::detail
