// SharedBytes: an immutable byte string whose copies share one buffer. The
// store snapshot travels from the state machine through raft (its log, a
// Ready, a MsgSnap) to the disk writer and the snapshot sender; as a plain
// string each of those steps held a copy of the whole store at once.
// Reads and copies are safe from any thread (the buffer never changes).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

namespace common {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Implicit: a string is taken over as the bytes (moved, not copied, from
  // an rvalue).
  SharedBytes(std::string bytes)  // NOLINT(google-explicit-constructor)
      : bytes_(bytes.empty() ? nullptr : std::make_shared<const std::string>(std::move(bytes))) {}
  SharedBytes(const char* bytes) : SharedBytes(std::string(bytes)) {}  // NOLINT

  const std::string& str() const { return bytes_ ? *bytes_ : Empty(); }
  operator const std::string&() const { return str(); }  // NOLINT: reads as a string
  size_t size() const { return str().size(); }
  bool empty() const { return str().empty(); }

  friend bool operator==(const SharedBytes& a, const SharedBytes& b) {
    return a.bytes_ == b.bytes_ || a.str() == b.str();
  }
  friend bool operator!=(const SharedBytes& a, const SharedBytes& b) { return !(a == b); }

 private:
  static const std::string& Empty() {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const std::string> bytes_;
};

}  // namespace common
