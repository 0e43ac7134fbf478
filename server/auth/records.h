// etcd's v2 auth records: users, roles and their key permissions, with the
// JSON etcd 3.4 reads and writes (Go's encoding/json: case-insensitive field
// names, null slices distinct from empty ones, omitted empty fields) and the
// grant/revoke merges of etcd's v2auth store. Plain values and pure
// functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

inline constexpr const char* kRootRole = "root";
inline constexpr const char* kGuestRole = "guest";
inline constexpr const char* kRootUser = "root";

// A Go []string: nullopt is nil (JSON null), which etcd keeps apart from an
// empty list in what it stores and answers.
using StringList = std::optional<std::vector<std::string>>;

struct RwPermission {
  StringList read, write;
  bool operator==(const RwPermission& o) const { return read == o.read && write == o.write; }
};

struct Permissions {
  RwPermission kv;
  bool IsEmpty() const;  // no read and no write pattern
  bool operator==(const Permissions& o) const { return kv == o.kv; }
};

struct Role {
  std::string role;
  Permissions permissions;
  std::optional<Permissions> grant, revoke;  // request fields; kept as sent on create
  bool operator==(const Role& o) const {
    return role == o.role && permissions == o.permissions && grant == o.grant && revoke == o.revoke;
  }
};

struct User {
  std::string user;
  std::string password;  // request: the password; stored: its bcrypt hash
  StringList roles;
  StringList grant, revoke;  // request only
  bool operator==(const User& o) const {
    return user == o.user && password == o.password && roles == o.roles && grant == o.grant &&
           revoke == o.revoke;
  }
};

// An auth failure as etcd answers it: HTTP status and the message.
struct AuthError {
  int status = 0;
  std::string message;
};

// The built-in root role: read and write "/*". Never stored.
const Role& RootRole();
// The guest role created when auth is enabled and none exists.
Role DefaultGuestRole();

// Decoding a request body or a stored record as Go's json.Decoder does: the
// first JSON value counts (trailing bytes are ignored); null is an empty
// record; a wrong type anywhere fails. nullopt on any failure.
std::optional<User> ParseUser(std::string_view json);
std::optional<Role> ParseRole(std::string_view json);

// A user as Go marshals it: password, grant and revoke left out when empty.
// What etcd stores under /2/users/<name> (with the hash) and what a PUT
// answers (password cleared).
std::string UserJson(const User& u);
// A role as stored and answered (grant/revoke only when present).
std::string RoleJson(const Role& r);

// etcd's attachRootRole: the root user always holds the root role.
User WithRootRole(User u);

// etcd's user merge: the password replaced when `password_hash` is set, roles
// granted (409 on a duplicate) then revoked (409 when not held), sorted.
std::optional<AuthError> MergeUser(const User& old, const User& change,
                                   const std::optional<std::string>& password_hash, User* out);
// etcd's role merge: patterns granted (409 on a duplicate read/write), then
// revoked (an ungranted pattern is ignored), lists sorted.
std::optional<AuthError> MergeRole(const Role& old, const Role& change, Role* out);

// Access to `key` (the path after /v2/keys, as sent): a pattern ending in '*'
// matches by prefix, any other exactly. The root role has every access.
bool HasKeyAccess(const Role& r, std::string_view key, bool write);
// For recursive requests: only '*' patterns count, by prefix.
bool HasRecursiveAccess(const Role& r, std::string_view key, bool write);

}  // namespace auth
