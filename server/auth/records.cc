#include "server/auth/records.h"

#include <algorithm>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/json_string.h"

namespace auth {
namespace {

using Json = nlohmann::ordered_json;

// Go matches a JSON key to a field exactly or else case-insensitively.
bool KeyIs(const std::string& key, std::string_view field) {
  if (key.size() != field.size()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    char a = key[i], b = field[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// Each decoder follows Go: null leaves the field as it is (a slice or
// pointer becomes nil), a wrong type fails the whole decode.
bool DecodeString(const Json& v, std::string* out) {
  if (v.is_null()) return true;
  if (!v.is_string()) return false;
  *out = v.get<std::string>();
  return true;
}

bool DecodeList(const Json& v, StringList* out) {
  if (v.is_null()) {
    out->reset();
    return true;
  }
  if (!v.is_array()) return false;
  std::vector<std::string> items;
  for (const auto& e : v) {
    if (e.is_null()) {
      items.emplace_back();
    } else if (e.is_string()) {
      items.push_back(e.get<std::string>());
    } else {
      return false;
    }
  }
  *out = std::move(items);
  return true;
}

bool DecodeRw(const Json& v, RwPermission* out) {
  if (v.is_null()) return true;
  if (!v.is_object()) return false;
  for (const auto& [k, val] : v.items()) {
    if (KeyIs(k, "read") && !DecodeList(val, &out->read)) return false;
    if (KeyIs(k, "write") && !DecodeList(val, &out->write)) return false;
  }
  return true;
}

bool DecodePermissions(const Json& v, Permissions* out) {
  if (v.is_null()) return true;
  if (!v.is_object()) return false;
  for (const auto& [k, val] : v.items()) {
    if (KeyIs(k, "kv") && !DecodeRw(val, &out->kv)) return false;
  }
  return true;
}

bool DecodePermissionsPtr(const Json& v, std::optional<Permissions>* out) {
  if (v.is_null()) {
    out->reset();
    return true;
  }
  if (!out->has_value()) out->emplace();
  return DecodePermissions(v, &**out);
}

// The first JSON value of `text`, as json.Decoder reads it.
std::optional<Json> FirstValue(std::string_view text) {
  std::istringstream in{std::string(text)};
  Json j;
  try {
    in >> j;
  } catch (const Json::exception&) {
    return std::nullopt;
  }
  return j;
}

void AppendList(std::string* out, const StringList& l) {
  if (!l) {
    *out += "null";
    return;
  }
  *out += '[';
  for (size_t i = 0; i < l->size(); ++i) {
    if (i) *out += ',';
    common::AppendJsonString(out, (*l)[i]);
  }
  *out += ']';
}

void AppendPermissions(std::string* out, const Permissions& p) {
  *out += "{\"kv\":{\"read\":";
  AppendList(out, p.kv.read);
  *out += ",\"write\":";
  AppendList(out, p.kv.write);
  *out += "}}";
}

bool Contains(const std::set<std::string>& s, const std::string& v) { return s.count(v) != 0; }

std::set<std::string> SetOf(const StringList& l) {
  return l ? std::set<std::string>(l->begin(), l->end()) : std::set<std::string>();
}

// A Go set's Values(), sorted: never nil.
StringList Sorted(const std::set<std::string>& s) { return std::vector<std::string>(s.begin(), s.end()); }

AuthError Conflict(std::string message) { return AuthError{409, "auth: " + std::move(message)}; }

std::optional<AuthError> Grant(const RwPermission& old, const RwPermission& add, RwPermission* out) {
  std::set<std::string> read = SetOf(old.read), write = SetOf(old.write);
  if (add.read) {
    for (const auto& p : *add.read) {
      if (!read.insert(p).second) return Conflict("Granting duplicate read permission " + p);
    }
  }
  if (add.write) {
    for (const auto& p : *add.write) {
      if (!write.insert(p).second) return Conflict("Granting duplicate write permission " + p);
    }
  }
  out->read = Sorted(read);
  out->write = Sorted(write);
  return std::nullopt;
}

RwPermission Revoke(const RwPermission& old, const RwPermission& remove) {
  std::set<std::string> read = SetOf(old.read), write = SetOf(old.write);
  if (remove.read) {
    for (const auto& p : *remove.read) read.erase(p);
  }
  if (remove.write) {
    for (const auto& p : *remove.write) write.erase(p);
  }
  return RwPermission{Sorted(read), Sorted(write)};
}

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

const StringList& PatternsFor(const Role& r, bool write) {
  return write ? r.permissions.kv.write : r.permissions.kv.read;
}

}  // namespace

bool Permissions::IsEmpty() const {
  return (!kv.read || kv.read->empty()) && (!kv.write || kv.write->empty());
}

const Role& RootRole() {
  static const Role root = [] {
    Role r = DefaultGuestRole();
    r.role = kRootRole;
    return r;
  }();
  return root;
}

Role DefaultGuestRole() {
  Role r;
  r.role = kGuestRole;
  r.permissions.kv.read = std::vector<std::string>{"/*"};
  r.permissions.kv.write = std::vector<std::string>{"/*"};
  return r;
}

std::optional<User> ParseUser(std::string_view json) {
  auto j = FirstValue(json);
  if (!j) return std::nullopt;
  User u;
  if (j->is_null()) return u;
  if (!j->is_object()) return std::nullopt;
  for (const auto& [k, v] : j->items()) {
    bool ok = true;
    if (KeyIs(k, "user")) ok = DecodeString(v, &u.user);
    else if (KeyIs(k, "password")) ok = DecodeString(v, &u.password);
    else if (KeyIs(k, "roles")) ok = DecodeList(v, &u.roles);
    else if (KeyIs(k, "grant")) ok = DecodeList(v, &u.grant);
    else if (KeyIs(k, "revoke")) ok = DecodeList(v, &u.revoke);
    if (!ok) return std::nullopt;
  }
  return u;
}

std::optional<Role> ParseRole(std::string_view json) {
  auto j = FirstValue(json);
  if (!j) return std::nullopt;
  Role r;
  if (j->is_null()) return r;
  if (!j->is_object()) return std::nullopt;
  for (const auto& [k, v] : j->items()) {
    bool ok = true;
    if (KeyIs(k, "role")) ok = DecodeString(v, &r.role);
    else if (KeyIs(k, "permissions")) ok = DecodePermissions(v, &r.permissions);
    else if (KeyIs(k, "grant")) ok = DecodePermissionsPtr(v, &r.grant);
    else if (KeyIs(k, "revoke")) ok = DecodePermissionsPtr(v, &r.revoke);
    if (!ok) return std::nullopt;
  }
  return r;
}

std::string UserJson(const User& u) {
  std::string out = "{\"user\":";
  common::AppendJsonString(&out, u.user);
  if (!u.password.empty()) {
    out += ",\"password\":";
    common::AppendJsonString(&out, u.password);
  }
  out += ",\"roles\":";
  AppendList(&out, u.roles);
  if (u.grant && !u.grant->empty()) {
    out += ",\"grant\":";
    AppendList(&out, u.grant);
  }
  if (u.revoke && !u.revoke->empty()) {
    out += ",\"revoke\":";
    AppendList(&out, u.revoke);
  }
  out += '}';
  return out;
}

std::string RoleJson(const Role& r) {
  std::string out = "{\"role\":";
  common::AppendJsonString(&out, r.role);
  out += ",\"permissions\":";
  AppendPermissions(&out, r.permissions);
  if (r.grant) {
    out += ",\"grant\":";
    AppendPermissions(&out, *r.grant);
  }
  if (r.revoke) {
    out += ",\"revoke\":";
    AppendPermissions(&out, *r.revoke);
  }
  out += '}';
  return out;
}

User WithRootRole(User u) {
  if (!u.roles) u.roles.emplace();
  if (std::find(u.roles->begin(), u.roles->end(), kRootRole) == u.roles->end()) {
    u.roles->push_back(kRootRole);
  }
  return u;
}

std::optional<AuthError> MergeUser(const User& old, const User& change,
                                   const std::optional<std::string>& password_hash, User* out) {
  User merged;
  merged.user = old.user;
  merged.password = password_hash ? *password_hash : old.password;
  std::set<std::string> roles = SetOf(old.roles);
  if (change.grant) {
    for (const auto& g : *change.grant) {
      if (Contains(roles, g)) return Conflict("Granting duplicate role " + g + " for user " + change.user);
      roles.insert(g);
    }
  }
  if (change.revoke) {
    for (const auto& r : *change.revoke) {
      if (!Contains(roles, r)) return Conflict("Revoking ungranted role " + r + " for user " + change.user);
      roles.erase(r);
    }
  }
  merged.roles = Sorted(roles);
  *out = std::move(merged);
  return std::nullopt;
}

std::optional<AuthError> MergeRole(const Role& old, const Role& change, Role* out) {
  Role merged;
  merged.role = old.role;
  merged.permissions = old.permissions;
  if (change.grant) {
    if (auto err = Grant(old.permissions.kv, change.grant->kv, &merged.permissions.kv)) return err;
  }
  if (change.revoke) merged.permissions.kv = Revoke(merged.permissions.kv, change.revoke->kv);
  *out = std::move(merged);
  return std::nullopt;
}

bool HasKeyAccess(const Role& r, std::string_view key, bool write) {
  if (r.role == kRootRole) return true;
  const StringList& patterns = PatternsFor(r, write);
  if (!patterns) return false;
  for (const std::string& p : *patterns) {
    if (p.empty()) continue;  // matches nothing (etcd would panic on it)
    if (p.back() == '*') {
      if (HasPrefix(key, std::string_view(p).substr(0, p.size() - 1))) return true;
    } else if (key == p) {
      return true;
    }
  }
  return false;
}

bool HasRecursiveAccess(const Role& r, std::string_view key, bool write) {
  if (r.role == kRootRole) return true;
  const StringList& patterns = PatternsFor(r, write);
  if (!patterns) return false;
  for (const std::string& p : *patterns) {
    if (p.empty() || p.back() != '*') continue;
    if (HasPrefix(key, std::string_view(p).substr(0, p.size() - 1))) return true;
  }
  return false;
}

}  // namespace auth
