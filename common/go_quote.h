// Go's strconv.Quote, which fmt's %q uses: etcd's messages quote flag values,
// URLs, keys and bad escapes this way. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace common {

// `s` in double quotes with Go's escapes: \" and \\; \a \b \f \n \r \t \v;
// \xHH (lower-case) for other ASCII controls, DEL and each byte that is not
// valid UTF-8; \u00HH for the C1 controls, NBSP and the soft hyphen. Other
// runes are copied as they are (Go also escapes unassigned and format code
// points, which no message of ours holds).
std::string GoQuote(std::string_view s);

}  // namespace common
