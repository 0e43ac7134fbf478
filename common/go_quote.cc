// Go's strconv.Quote; see go_quote.h.
#include "common/go_quote.h"

#include <cstdint>

#include "common/utf8.h"

namespace common {
namespace {

// Go's unicode.IsPrint, exact for ASCII, the C1 controls, NBSP and the soft
// hyphen; other non-ASCII runes count as printable.
bool IsPrintRune(uint32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  return r > 0xa0 && r != 0xad;
}

void AppendHexByte(std::string* out, unsigned char b) {
  static const char kDigits[] = "0123456789abcdef";
  out->push_back(kDigits[b >> 4]);
  out->push_back(kDigits[b & 15]);
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    uint32_t r = 0;
    const size_t len = DecodeRune(s, i, &r);
    if (len == 0) {  // invalid UTF-8: the byte in \x form
      out += "\\x";
      AppendHexByte(&out, static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (r == '"' || r == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(r));
    } else if (IsPrintRune(r)) {
      out.append(s.substr(i, len));
    } else if (r < 0x80) {
      switch (r) {
        case '\a': out += "\\a"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\v': out += "\\v"; break;
        default:
          out += "\\x";
          AppendHexByte(&out, static_cast<unsigned char>(r));
      }
    } else {  // the non-printable runes here are all below U+0100
      out += "\\u00";
      AppendHexByte(&out, static_cast<unsigned char>(r));
    }
    i += len;
  }
  out.push_back('"');
  return out;
}

}  // namespace common
