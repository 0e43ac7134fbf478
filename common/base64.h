// Standard base64 (RFC 4648 with padding), as Go's base64.StdEncoding reads
// and writes it: decoding skips '\r' and '\n', requires the padding and
// accepts non-zero trailing bits. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace common {

std::string Base64Encode(std::string_view in);
// nullopt on a character outside the alphabet, bad padding or a bad length.
std::optional<std::string> Base64Decode(std::string_view in);

}  // namespace common
