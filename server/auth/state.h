// The v2 auth state as the replicated store holds it, where etcd keeps it:
//   /2/enabled        "true" or "false"
//   /2/users/<name>   a user's JSON (with its bcrypt hash)
//   /2/roles/<name>   a role's JSON
// It changes only through ordinary v2 writes that go through the log, so
// every member reads the same rules at the same index, and snapshots,
// restarts and new members carry it like any other key.
//
// AuthState is an immutable snapshot of it; AuthStateCache hands out the
// current one, read again only after something under /2 changed (the store's
// change counter), so a check costs no store read and no JSON parsing.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/records.h"
#include "server/store/store.h"

namespace auth {

inline constexpr const char* kAuthDir = "/2";
inline constexpr const char* kUsersDir = "/2/users";
inline constexpr const char* kRolesDir = "/2/roles";
inline constexpr const char* kEnabledPath = "/2/enabled";

std::string UserPath(std::string_view name);
std::string RolePath(std::string_view name);

struct UserRecord {
  User user;                    // the root user with the root role attached
  uint64_t modified_index = 0;
  // What a login proof of this user is bound to: its hash and the versions
  // of its record, its roles' records and the auth switch.
  std::string binding;
};

struct RoleRecord {
  Role role;
  uint64_t modified_index = 0;  // 0 for the built-in root role
};

class AuthState {
 public:
  // Reads /2 (uncounted by /v2/stats/store, as Peek).
  static std::shared_ptr<const AuthState> Load(const store::Store& st);

  bool enabled() const { return enabled_; }
  // Which of the records etcd creates before its first auth write exist:
  // /2, /2/users, /2/roles (dirs), /2/enabled.
  bool has_auth_dir() const { return has_auth_dir_; }
  bool has_users_dir() const { return has_users_dir_; }
  bool has_roles_dir() const { return has_roles_dir_; }
  bool has_enabled() const { return has_enabled_; }

  // nullptr when there is no such user (or its record does not parse).
  std::shared_ptr<const UserRecord> FindUser(std::string_view name) const;
  // The built-in root role for "root"; nullptr when there is no such role.
  std::shared_ptr<const RoleRecord> FindRole(std::string_view name) const;
  // Users as etcd lists them: sorted, hidden ('_') names left out.
  std::vector<std::string> UserNames() const;
  // "root" and the stored roles, sorted, hidden names left out.
  std::vector<std::string> RoleNames() const;

 private:
  explicit AuthState(const store::Store& st) : store_(&st) {}
  std::shared_ptr<const UserRecord> Bound(std::shared_ptr<UserRecord> u) const;

  const store::Store* store_;  // for hidden names, which listings leave out
  bool enabled_ = false;
  uint64_t enabled_index_ = 0;
  bool has_auth_dir_ = false, has_users_dir_ = false, has_roles_dir_ = false, has_enabled_ = false;
  std::map<std::string, std::shared_ptr<const UserRecord>, std::less<>> users_;
  std::map<std::string, std::shared_ptr<const RoleRecord>, std::less<>> roles_;
};

class AuthStateCache {
 public:
  // Starts tracking changes under /2 in `st` (before other threads use it).
  explicit AuthStateCache(store::Store& st);
  AuthStateCache(const AuthStateCache&) = delete;
  AuthStateCache& operator=(const AuthStateCache&) = delete;

  std::shared_ptr<const AuthState> Current();

 private:
  store::Store& store_;
  std::mutex mu_;
  std::shared_ptr<const AuthState> current_;  // guarded by mu_
  uint64_t current_changes_ = 0;              // guarded by mu_: the count current_ was read at
};

}  // namespace auth
