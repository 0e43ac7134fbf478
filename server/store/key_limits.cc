// Key length and depth checks; see key_limits.h.
#include "server/store/key_limits.h"

#include <algorithm>
#include <string>

namespace store {
namespace {

// "/" and twenty digits: the name of an in-order key (Create with unique).
constexpr size_t kUniqueNameBytes = 21;

}  // namespace

std::optional<V2Error> CheckKeyLimits(std::string_view store_path, bool unique_child,
                                      uint64_t index) {
  const bool root = store_path == "/";
  size_t bytes = root ? 0 : store_path.size();
  size_t depth =
      root ? 0 : static_cast<size_t>(std::count(store_path.begin(), store_path.end(), '/'));
  if (unique_child) {
    bytes += kUniqueNameBytes;
    ++depth;
  }
  // The namespace segment ("/1") is not part of the user's key.
  if (depth > kMaxStorePathDepth) {
    return V2Error{kEcodeInvalidField,
                   "key too deep: " + std::to_string(depth - 1) + " segments (at most " +
                       std::to_string(kMaxKeyDepth) + ")",
                   index};
  }
  if (bytes > kMaxStorePathBytes) {
    return V2Error{kEcodeInvalidField,
                   "key too long: " + std::to_string(bytes - 2) + " bytes (at most " +
                       std::to_string(kMaxKeyBytes) + ")",
                   index};
  }
  return std::nullopt;
}

}  // namespace store
