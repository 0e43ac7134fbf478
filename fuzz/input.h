// Splits a fuzz input into the fields a target feeds to the code under test.
// Inputs are text-like so that seed files stay readable: each field is one
// line, the last field is everything left.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size) : all_(reinterpret_cast<const char*>(data), size), rest_(all_) {}

  std::string_view all() const { return all_; }

  // The next line without its '\n'; the rest of the input when no '\n' is left.
  std::string Line() {
    const size_t nl = rest_.find('\n');
    std::string line(rest_.substr(0, nl));
    rest_.remove_prefix(nl == std::string_view::npos ? rest_.size() : nl + 1);
    return line;
  }

  // Lines up to an empty line (dropped) or the end.
  std::vector<std::string> Block() {
    std::vector<std::string> lines;
    while (!rest_.empty()) {
      std::string line = Line();
      if (line.empty()) break;
      lines.push_back(std::move(line));
    }
    return lines;
  }

  std::string Rest() {
    std::string rest(rest_);
    rest_ = {};
    return rest;
  }

 private:
  std::string_view all_;
  std::string_view rest_;
};

// A failed property: the fuzzer reports it as a crash, with the input saved.
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "%s\n", what);
  std::abort();
}

}  // namespace fuzz

#define FUZZ_CHECK(cond)                                    \
  do {                                                      \
    if (!(cond)) ::fuzz::Fail(__FILE__ ": check failed: " #cond); \
  } while (0)
