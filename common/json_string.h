// JSON string encoding byte-identical to Go's encoding/json (as used by etcd
// 3.4, built with Go < 1.22): HTML-safe escapes for < > &, \u2028 and \u2029
// escaped, control characters as \u00XX except \n \r \t, DEL passed through,
// each invalid UTF-8 byte replaced by \ufffd. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace common {

// Appends `s` as a quoted JSON string to `out`.
void AppendJsonString(std::string* out, std::string_view s);

// `s` as a quoted JSON string.
std::string JsonString(std::string_view s);

// A JSON array of strings: ["a","b"].
std::string JsonStringArray(const std::vector<std::string>& items);

}  // namespace common
