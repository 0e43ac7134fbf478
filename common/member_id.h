// Member and cluster IDs computed exactly as etcd computes them, so that a
// kvraft cluster bootstrapped with the same flags reports the same IDs.
//
//   member id  = first 8 bytes (big endian) of SHA1(sorted peer URLs ++ token [++ unix seconds])
//   cluster id = first 8 bytes (big endian) of SHA1(sorted member ids as 8-byte big endian)
//
// IDs print as lower-case hex without leading zeros. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/url.h"

namespace common {

// `now_unix_seconds` is given only for runtime adds (POST /v2/members), where
// etcd uses an empty token and the server's clock.
uint64_t MemberId(const std::vector<Url>& peer_urls, const std::string& token,
                  std::optional<int64_t> now_unix_seconds = std::nullopt);

// Order of `member_ids` does not matter.
uint64_t ClusterId(std::vector<uint64_t> member_ids);

// "%x": lower-case hex, no leading zeros ("0" for 0).
std::string FormatId(uint64_t id);

// Any hex digits (either case, 1-16 of them, as Go's ParseUint(s, 16, 64)).
// Errors name the input; 0 parses (callers decide whether 0 is valid).
Result<uint64_t> ParseId(const std::string& hex);

}  // namespace common
