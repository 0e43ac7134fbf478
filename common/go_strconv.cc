// Go's strconv parsing; see go_strconv.h.
#include "common/go_strconv.h"

#include <cctype>
#include <limits>

namespace common {
namespace {

Status ParseError() { return Status::InvalidArgument("parse error"); }
Status RangeError() { return Status::InvalidArgument("value out of range"); }

// The digit's value in bases up to 36; 99 for a non-digit.
int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

}  // namespace

Result<bool> ParseGoBool(const std::string& s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return ParseError();
}

Result<uint64_t> ParseGoUint(const std::string& s) {
  if (s.empty()) return ParseError();
  int base = 10;
  size_t i = 0;
  if (s[0] == '0' && s.size() > 1) {
    char p = static_cast<char>(std::tolower(static_cast<unsigned char>(s[1])));
    if (p == 'x' || p == 'o' || p == 'b') {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      i = 2;
    } else {
      base = 8;
      i = 1;
    }
  }
  bool prev_digit_or_prefix = i > 0;  // '_' may follow a digit or the prefix
  bool any_digit = i == 1;            // the leading 0 of an octal number counts
  uint64_t n = 0;
  for (; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (!prev_digit_or_prefix) return ParseError();
      prev_digit_or_prefix = false;
      continue;
    }
    int d = DigitValue(s[i]);
    if (d >= base) return ParseError();
    if (n > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) / base) return RangeError();
    n = n * base + static_cast<uint64_t>(d);
    prev_digit_or_prefix = true;
    any_digit = true;
  }
  if (!any_digit || !prev_digit_or_prefix) return ParseError();
  return n;
}

Result<int64_t> ParseGoInt(const std::string& s) {
  bool negative = !s.empty() && s[0] == '-';
  std::string digits = !s.empty() && (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
  Result<uint64_t> u = ParseGoUint(digits);
  if (!u.ok()) return u.status();
  uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (*u > limit) return RangeError();
  return negative ? static_cast<int64_t>(0 - *u) : static_cast<int64_t>(*u);
}

}  // namespace common
