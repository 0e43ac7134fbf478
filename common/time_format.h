// Time rendered and read the way Go does, for fields etcd clients parse and
// for flag values: RFC 3339 with nanoseconds (trailing zeros trimmed),
// time.Duration.String() and time.ParseDuration.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "common/status.h"

namespace common {

// "2026-11-21T23:03:13.398083121Z" (utc) or with the local offset "+01:00".
std::string FormatRfc3339Nano(int64_t unix_ns, bool utc);
// Go's Duration.String(): "10m59.322358947s", "1.5ms", "0s", "2h0m0s".
std::string FormatGoDuration(int64_t ns);
// Go's time.ParseDuration: "2s", "1m30s", "-1.5h", "100ms", "0"; units ns, us,
// µs, ms, s, m, h. Errors carry time's texts: `time: invalid duration "x"`,
// `time: missing unit in duration "5"`, `time: unknown unit "d" in duration "5d"`.
Result<std::chrono::nanoseconds> ParseGoDuration(const std::string& s);
// Current wall-clock time in Unix nanoseconds.
int64_t UnixNowNs();

}  // namespace common
