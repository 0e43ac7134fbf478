// UTF-8 decoding; see utf8.h.
#include "common/utf8.h"

namespace common {

size_t DecodeRune(std::string_view s, size_t i, uint32_t* rune) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *rune = b0;
    return 1;
  }
  size_t len = 0;
  uint32_t r = 0, min = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2, r = b0 & 0x1f, min = 0x80;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3, r = b0 & 0x0f, min = 0x800;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4, r = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    r = (r << 6) | (b & 0x3f);
  }
  if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return 0;
  *rune = r;
  return len;
}

}  // namespace common
