#include "server/api/go_json.h"

#include <cstdio>

namespace api {
namespace {

// A recursive-descent reader that stops at the first error, worded as Go's
// scanner words it. Depth is bounded so a hostile body cannot overflow the stack.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  std::optional<std::string> Run() {
    Value(0);
    if (!error_) {
      SkipSpace();
      if (pos_ < s_.size()) Fail("after top-level value");
    }
    return error_;
  }

 private:
  static constexpr int kMaxDepth = 10000;

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool End() {
    if (pos_ < s_.size()) return false;
    if (!error_) error_ = "unexpected end of JSON input";
    return true;
  }
  void Fail(const std::string& context) {
    if (error_) return;
    unsigned char c = static_cast<unsigned char>(s_[pos_]);
    std::string quoted;
    if (c == '\'') quoted = "'\\''";
    else if (c == '"') quoted = "'\"'";
    else if (c < 0x20 || c >= 0x7f) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "'\\x%02x'", c);
      quoted = buf;
    } else {
      quoted = std::string("'") + static_cast<char>(c) + "'";
    }
    error_ = "invalid character " + quoted + " " + context;
  }
  bool Literal(std::string_view word) {
    for (char want : word) {
      if (End()) return false;
      if (s_[pos_] != want) {
        Fail("in literal " + std::string(word) + " (expecting '" + std::string(1, want) + "')");
        return false;
      }
      ++pos_;
    }
    return true;
  }
  void String() {
    ++pos_;  // opening quote
    while (!End()) {
      char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        return;
      }
      if (static_cast<unsigned char>(c) < 0x20) return Fail("in string literal");
      pos_ += c == '\\' ? 2 : 1;
    }
  }
  void Number() {
    if (s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size() && ((s_[pos_] >= '0' && s_[pos_] <= '9') || s_[pos_] == '.' ||
                                s_[pos_] == 'e' || s_[pos_] == 'E' || s_[pos_] == '+' || s_[pos_] == '-')) {
      ++pos_;
    }
  }
  void Value(int depth) {
    SkipSpace();
    if (End()) return;
    if (depth > kMaxDepth) return Fail("looking for beginning of value");
    char c = s_[pos_];
    if (c == '{') return Object(depth);
    if (c == '[') return Array(depth);
    if (c == '"') return String();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    if (c == 't') { Literal("true"); return; }
    if (c == 'f') { Literal("false"); return; }
    if (c == 'n') { Literal("null"); return; }
    Fail("looking for beginning of value");
  }
  void Object(int depth) {
    ++pos_;
    SkipSpace();
    if (End()) return;
    if (s_[pos_] == '}') {
      ++pos_;
      return;
    }
    while (!error_) {
      SkipSpace();
      if (End()) return;
      if (s_[pos_] != '"') return Fail("looking for beginning of object key string");
      String();
      SkipSpace();
      if (error_ || End()) return;
      if (s_[pos_] != ':') return Fail("after object key");
      ++pos_;
      Value(depth + 1);
      SkipSpace();
      if (error_ || End()) return;
      if (s_[pos_] == '}') {
        ++pos_;
        return;
      }
      if (s_[pos_] != ',') return Fail("after object key:value pair");
      ++pos_;
    }
  }
  void Array(int depth) {
    ++pos_;
    SkipSpace();
    if (End()) return;
    if (s_[pos_] == ']') {
      ++pos_;
      return;
    }
    while (!error_) {
      Value(depth + 1);
      SkipSpace();
      if (error_ || End()) return;
      if (s_[pos_] == ']') {
        ++pos_;
        return;
      }
      if (s_[pos_] != ',') return Fail("after array element");
      ++pos_;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::optional<std::string> error_;
};

}  // namespace

std::optional<std::string> GoJsonSyntaxError(std::string_view doc) { return Scanner(doc).Run(); }

}  // namespace api
