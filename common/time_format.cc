#include "common/time_format.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/go_quote.h"

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

constexpr uint64_t kMaxDuration = uint64_t{1} << 63;  // the magnitude of the most negative Duration

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Nanoseconds in a unit of ParseGoDuration, 0 for an unknown one.
uint64_t UnitNanos(const std::string& unit) {
  static const std::pair<const char*, uint64_t> kUnits[] = {
      {"ns", 1},           {"us", 1000},        {"\xC2\xB5s", 1000},  // µs, micro sign
      {"\xCE\xBCs", 1000}, {"ms", 1000000},     {"s", 1000000000},     // μs, Greek mu
      {"m", 60000000000},  {"h", 3600000000000}};
  for (const auto& [name, nanos] : kUnits) {
    if (unit == name) return nanos;
  }
  return 0;
}

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

Result<std::chrono::nanoseconds> ParseGoDuration(const std::string& text) {
  const Status invalid = Status::InvalidArgument("time: invalid duration " + GoQuote(text));
  std::string s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return invalid;
  uint64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    // An integer part, then an optional fraction; one of them must have digits.
    uint64_t whole = 0;
    size_t start = i;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (whole > kMaxDuration / 10) return invalid;
      whole = whole * 10 + static_cast<uint64_t>(s[i] - '0');
      if (whole > kMaxDuration) return invalid;
    }
    bool has_digits = i > start;
    uint64_t fraction = 0;
    double scale = 1;
    if (i < s.size() && s[i] == '.') {
      bool overflow = false;  // digits past what fits are dropped, as Go does
      for (++i; i < s.size() && IsDigit(s[i]); ++i) {
        has_digits = true;
        if (overflow || fraction > (kMaxDuration - 1) / 10) {
          overflow = true;
          continue;
        }
        fraction = fraction * 10 + static_cast<uint64_t>(s[i] - '0');
        scale *= 10;
      }
    }
    if (!has_digits) return invalid;  // ".s", "x"
    size_t unit_start = i;
    while (i < s.size() && !IsDigit(s[i]) && s[i] != '.') ++i;
    if (i == unit_start) return Status::InvalidArgument("time: missing unit in duration " + GoQuote(text));
    std::string unit_name = s.substr(unit_start, i - unit_start);
    uint64_t unit = UnitNanos(unit_name);
    if (unit == 0) {
      return Status::InvalidArgument("time: unknown unit " + GoQuote(unit_name) + " in duration " + GoQuote(text));
    }
    if (whole > kMaxDuration / unit) return invalid;
    uint64_t v = whole * unit;
    if (fraction > 0) {
      // In double, to be exact to the nanosecond for fractions of hours.
      v += static_cast<uint64_t>(static_cast<double>(fraction) * (static_cast<double>(unit) / scale));
      if (v > kMaxDuration) return invalid;
    }
    total += v;
    if (total > kMaxDuration) return invalid;
  }
  if (negative) return std::chrono::nanoseconds(static_cast<int64_t>(0 - total));
  if (total > kMaxDuration - 1) return invalid;
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

int64_t UnixNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace common
