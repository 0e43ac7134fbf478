// Go's %q for the ASCII strings that reach error messages ("a\"b" style):
// etcd's messages quote flag values, URLs and escapes this way.
// Pure function; thread-safe.
#pragma once

#include <string>

namespace common {

inline std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace common
