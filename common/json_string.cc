// Go-compatible JSON string encoding; see json_string.h.
#include "common/json_string.h"

#include <cstdint>

namespace common {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at s[i] (2..4), or 0 when the
// bytes there are not one (Go's utf8.DecodeRuneInString then yields U+FFFD
// with width 1). Follows Go's acceptance ranges: no overlongs, no surrogates,
// nothing above U+10FFFF.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  auto cont = [&](size_t k, uint8_t lo, uint8_t hi) {
    return i + k < s.size() && b(k) >= lo && b(k) <= hi;
  };
  const uint8_t c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    uint8_t lo = c == 0xE0 ? 0xA0 : 0x80;
    uint8_t hi = c == 0xED ? 0x9F : 0xBF;
    return cont(1, lo, hi) && cont(2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    uint8_t lo = c == 0xF0 ? 0x90 : 0x80;
    uint8_t hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(1, lo, hi) && cont(2, 0x80, 0xBF) && cont(3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

void AppendUnicodeEscape(std::string* out, uint32_t code) {
  char buf[6] = {'\\', 'u', kHex[(code >> 12) & 0xF], kHex[(code >> 8) & 0xF],
                 kHex[(code >> 4) & 0xF], kHex[code & 0xF]};
  out->append(buf, sizeof(buf));
}

// True for ASCII bytes Go writes unchanged (its htmlSafeSet).
bool IsPlainAscii(uint8_t c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  out->reserve(out->size() + s.size() + 2);
  out->push_back('"');
  size_t start = 0;  // first byte not yet copied
  size_t i = 0;
  while (i < s.size()) {
    const uint8_t c = static_cast<uint8_t>(s[i]);
    if (IsPlainAscii(c)) {
      ++i;
      continue;
    }
    if (c < 0x80) {
      out->append(s.data() + start, i - start);
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        default: AppendUnicodeEscape(out, c); break;
      }
      start = ++i;
      continue;
    }
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out->append(s.data() + start, i - start);
      out->append("\\ufffd");
      start = ++i;
      continue;
    }
    // U+2028 / U+2029 (E2 80 A8 / E2 80 A9) break JavaScript parsers; Go escapes them.
    if (n == 3 && c == 0xE2 && static_cast<uint8_t>(s[i + 1]) == 0x80 &&
        (static_cast<uint8_t>(s[i + 2]) & 0xFE) == 0xA8) {
      out->append(s.data() + start, i - start);
      AppendUnicodeEscape(out, 0x2028 + (static_cast<uint8_t>(s[i + 2]) & 1));
      i += 3;
      start = i;
      continue;
    }
    i += n;
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

}  // namespace common
