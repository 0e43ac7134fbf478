// Time rendered the way Go prints it, for fields etcd clients parse:
// RFC 3339 with nanoseconds (trailing zeros trimmed) and time.Duration.String().
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace common {

// "2026-11-21T23:03:13.398083121Z" (utc) or with the local offset "+01:00".
std::string FormatRfc3339Nano(int64_t unix_ns, bool utc);
// Go's Duration.String(): "10m59.322358947s", "1.5ms", "0s", "2h0m0s".
std::string FormatGoDuration(int64_t ns);
// Current wall-clock time in Unix nanoseconds.
int64_t UnixNowNs();

}  // namespace common
