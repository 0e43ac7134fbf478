// The syntax error Go's encoding/json reports for a malformed document, so
// JSON bodies refused by the members API carry etcd's exact message, e.g.
// "invalid character 'b' looking for beginning of object key string".
// Pure function; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace api {

// nullopt when `doc` is well-formed JSON; otherwise Go's error text.
std::optional<std::string> GoJsonSyntaxError(std::string_view doc);

}  // namespace api
