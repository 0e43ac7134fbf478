// Password hashes: bcrypt ($2b$, cost 10, as etcd's Go bcrypt makes $2a$ at
// the same cost) through the system's crypt library (libxcrypt's crypt_r),
// with a salt from OpenSSL's CSPRNG. Both calls take about 50-100 ms of CPU
// on purpose: run them off the I/O threads (see login.h). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace auth {

inline constexpr int kBcryptCost = 10;

// A new hash of `password`. Passwords holding a NUL byte are refused
// (crypt(3) would see only the part before it).
common::Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `hash` (any bcrypt variant, $2a$ of etcd
// included), compared in constant time. False for a malformed hash.
bool CheckPassword(std::string_view hash, std::string_view password);

}  // namespace auth
