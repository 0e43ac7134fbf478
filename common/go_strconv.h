// Go's strconv parsing of flag values, shared by the server's, the CLI's and
// the agent's flags. Errors carry the reason Go's flag package prints after
// the flag name: "parse error" or "value out of range".
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace common {

// strconv.ParseBool: 1 t T TRUE true True, 0 f F FALSE false False.
Result<bool> ParseGoBool(const std::string& s);
// strconv.ParseUint(s, 0, 64): 0x/0o/0b prefixes or a leading-0 octal, '_'
// only between digits (or after a prefix).
Result<uint64_t> ParseGoUint(const std::string& s);
// strconv.ParseInt(s, 0, 64): ParseGoUint's forms behind an optional sign.
Result<int64_t> ParseGoInt(const std::string& s);

}  // namespace common
