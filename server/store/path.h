// Store-private helpers for "/"-separated store paths (all inputs are clean
// paths as CleanPath returns them). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace store::internal {

// True when `p` is already what CleanPath returns: rooted, no empty, "." or
// ".." segments, no trailing slash (except "/" itself).
bool IsCleanPath(std::string_view p);

// Go's path.Join(dir, name) for a clean dir and a plain name.
std::string JoinPath(std::string_view dir, std::string_view name);

// etcd's watcher_hub isHidden: the part of `key` below `watch_path` names a
// hidden node (its last segment or a directory on the way starts with '_').
bool IsHiddenBelow(std::string_view watch_path, std::string_view key);

// The cause a user sees for a store path: "/1/foo" -> "/foo", "/1" -> "".
std::string UserCause(std::string_view store_path);

}  // namespace store::internal
