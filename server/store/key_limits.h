// Bounds on the keys the store holds, checked before a write is proposed
// (api), again when it is applied (store) and when a snapshot is loaded.
// They bound the depth of every tree walk and keep snapshots loadable.
//
// etcd 3.4 sets no key limit of its own, but its client port refuses a
// request line over 4096 bytes (it resets the connection), so no key it
// accepts, even one created by POST under the longest dir, exceeds these.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "server/store/errors.h"

namespace store {

// A user key as the client names it after /v2/keys, cleaned ("/a/b": 4 bytes,
// 2 segments).
constexpr size_t kMaxKeyBytes = 4096;
constexpr size_t kMaxKeyDepth = 2048;
// The same for a store path, whose first segment is the namespace ("/1").
constexpr size_t kMaxStorePathBytes = kMaxKeyBytes + 2;
constexpr size_t kMaxStorePathDepth = kMaxKeyDepth + 1;

// Checks a clean store path ("/1/a/b") against the limits; with
// `unique_child` the key checked is the in-order key a POST creates under it.
// Over a limit: error 209 (HTTP 400) at `index`, its cause giving the key's
// size in user terms, e.g. "key too deep: 3000 segments (at most 2048)".
std::optional<V2Error> CheckKeyLimits(std::string_view store_path, bool unique_child,
                                      uint64_t index);

}  // namespace store
