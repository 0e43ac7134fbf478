// UTF-8 decoding with Go's acceptance rules (unicode/utf8): no overlong
// forms, no surrogates, nothing above U+10FFFF.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace common {

// Decodes the sequence starting at s[i] (i < s.size()) into *rune and returns
// its length (1-4), or 0 when the bytes there are not valid UTF-8; Go then
// reads the byte at s[i] alone as U+FFFD with width 1.
size_t DecodeRune(std::string_view s, size_t i, uint32_t* rune);

}  // namespace common
