#include "common/time_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace common {
namespace {

// Fractional seconds with trailing zeros trimmed, "" when zero (Go's ".999999999").
std::string Fraction(int64_t nanos, int width) {
  if (nanos == 0) return "";
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%0*lld", width, static_cast<long long>(nanos));
  std::string s(buf);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return "." + s;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string FormatRfc3339Nano(int64_t unix_ns, bool utc) {
  int64_t secs = FloorDiv(unix_ns, 1000000000);
  int64_t nanos = unix_ns - secs * 1000000000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (utc) gmtime_r(&t, &tm);
  else localtime_r(&t, &tm);
  char date[40];
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string zone = "Z";
  if (!utc && tm.tm_gmtoff != 0) {
    long off = tm.tm_gmtoff;
    char buf[48];
    std::snprintf(buf, sizeof(buf), "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 3600,
                  (std::labs(off) % 3600) / 60);
    zone = buf;
  }
  return std::string(date) + Fraction(nanos, 9) + zone;
}

std::string FormatGoDuration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  char buf[64];
  if (u < 1000000000ULL) {
    // Sub-second: the largest unit that keeps an integer part (ns, µs, ms).
    if (u < 1000ULL) {
      std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(u));
      return sign + buf + "ns";
    }
    uint64_t div = u < 1000000ULL ? 1000ULL : 1000000ULL;
    const char* unit = u < 1000000ULL ? "\xC2\xB5s" : "ms";
    std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(u / div));
    return sign + buf + Fraction(static_cast<int64_t>(u % div), div == 1000ULL ? 3 : 6) + unit;
  }
  uint64_t secs = u / 1000000000ULL;
  std::string frac = Fraction(static_cast<int64_t>(u % 1000000000ULL), 9);
  uint64_t h = secs / 3600, m = (secs % 3600) / 60, s = secs % 60;
  std::string out = sign;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  return out + std::to_string(s) + frac + "s";
}

int64_t UnixNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace common
