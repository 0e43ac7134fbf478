#include "server/auth/state.h"

#include <algorithm>

namespace auth {
namespace {

std::string_view LastSegment(std::string_view key) {
  auto slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

bool IsHidden(std::string_view name) { return !name.empty() && name[0] == '_'; }

// etcd reads the switch with json.Unmarshal into a bool: anything but a JSON
// true (whitespace allowed) is off.
bool ParseEnabled(const std::string& v) {
  size_t b = v.find_first_not_of(" \t\r\n");
  size_t e = v.find_last_not_of(" \t\r\n");
  return b != std::string::npos && v.compare(b, e - b + 1, "true") == 0;
}

std::shared_ptr<UserRecord> UserFrom(const store::NodeExtern& n) {
  if (n.dir || !n.value) return nullptr;
  auto u = ParseUser(*n.value);
  if (!u) return nullptr;
  auto rec = std::make_shared<UserRecord>();
  rec->user = u->user == kRootUser ? WithRootRole(std::move(*u)) : std::move(*u);
  rec->modified_index = n.modified_index;
  return rec;
}

std::shared_ptr<const RoleRecord> RoleFrom(const store::NodeExtern& n) {
  if (n.dir || !n.value) return nullptr;
  auto r = ParseRole(*n.value);
  if (!r) return nullptr;
  auto rec = std::make_shared<RoleRecord>();
  rec->role = std::move(*r);
  rec->modified_index = n.modified_index;
  return rec;
}

std::shared_ptr<const RoleRecord> BuiltInRoot() {
  static const auto root = std::make_shared<const RoleRecord>(RoleRecord{RootRole(), 0});
  return root;
}

}  // namespace

std::string UserPath(std::string_view name) { return std::string(kUsersDir) + "/" + std::string(name); }
std::string RolePath(std::string_view name) { return std::string(kRolesDir) + "/" + std::string(name); }

std::shared_ptr<const AuthState> AuthState::Load(const store::Store& st) {
  std::shared_ptr<AuthState> s(new AuthState(st));
  auto tree = st.Peek(kAuthDir, /*recursive=*/true);
  if (!tree.ok()) return s;
  s->has_auth_dir_ = tree.value().node.dir;
  for (const store::NodeExtern& child : tree.value().node.nodes) {
    const std::string_view name = LastSegment(child.key);
    if (name == "enabled" && !child.dir && child.value) {
      s->has_enabled_ = true;
      s->enabled_ = ParseEnabled(*child.value);
      s->enabled_index_ = child.modified_index;
    } else if (name == "roles" && child.dir) {
      s->has_roles_dir_ = true;
      for (const auto& n : child.nodes) {
        if (auto rec = RoleFrom(n)) s->roles_.emplace(std::string(LastSegment(n.key)), std::move(rec));
      }
    }
  }
  // Users last: their bindings name their roles' versions.
  for (const store::NodeExtern& child : tree.value().node.nodes) {
    if (LastSegment(child.key) != "users" || !child.dir) continue;
    s->has_users_dir_ = true;
    for (const auto& n : child.nodes) {
      if (auto rec = UserFrom(n)) s->users_.emplace(std::string(LastSegment(n.key)), s->Bound(std::move(rec)));
    }
  }
  return s;
}

std::shared_ptr<const UserRecord> AuthState::FindUser(std::string_view name) const {
  if (IsHidden(name)) {
    auto ev = store_->Peek(UserPath(name), false);
    auto rec = ev.ok() ? UserFrom(ev.value().node) : nullptr;
    return rec ? Bound(std::move(rec)) : nullptr;
  }
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

std::shared_ptr<const RoleRecord> AuthState::FindRole(std::string_view name) const {
  if (name == kRootRole) return BuiltInRoot();
  if (IsHidden(name)) {
    auto ev = store_->Peek(RolePath(name), false);
    return ev.ok() ? RoleFrom(ev.value().node) : nullptr;
  }
  auto it = roles_.find(name);
  return it == roles_.end() ? nullptr : it->second;
}

std::vector<std::string> AuthState::UserNames() const {
  std::vector<std::string> names;
  for (const auto& [name, rec] : users_) names.push_back(name);
  return names;
}

std::vector<std::string> AuthState::RoleNames() const {
  std::vector<std::string> names{kRootRole};
  for (const auto& [name, rec] : roles_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::shared_ptr<const UserRecord> AuthState::Bound(std::shared_ptr<UserRecord> u) const {
  std::string& b = u->binding;
  b = u->user.password + '|' + std::to_string(u->modified_index) + '|' + std::to_string(enabled_index_);
  if (u->user.roles) {
    for (const auto& r : *u->user.roles) {
      auto role = FindRole(r);
      b += '|' + std::to_string(role ? role->modified_index : 0);
    }
  }
  return u;
}

AuthStateCache::AuthStateCache(store::Store& st) : store_(st) { st.TrackChanges(kAuthDir); }

std::shared_ptr<const AuthState> AuthStateCache::Current() {
  const uint64_t changes = store_.ChangesUnder();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ && current_changes_ == changes) return current_;
  }
  auto fresh = AuthState::Load(store_);
  std::lock_guard<std::mutex> lock(mu_);
  if (!current_ || current_changes_ < changes) {
    current_ = fresh;
    current_changes_ = changes;
  }
  return fresh;
}

}  // namespace auth
