// Small string helpers with Go's semantics, shared by the server's, the
// agent's and the CLI's flag handling. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace common {

// Go's strings.Split(s, ","): "" gives {""}, "a,,b" gives {"a", "", "b"}.
inline std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace common
