#include "server/api/auth_writes.h"

#include <memory>
#include <optional>
#include <vector>

#include "common/json_string.h"
#include "common/member_id.h"
#include "server/api/responses.h"
#include "server/auth/state.h"

namespace api {
namespace {

using etcdserver::ApplyResult;
using WriteDone = std::function<void(const ApplyResult&)>;

// How often an update that lost a compare-and-swap race is worked out again.
constexpr int kUpdateAttempts = 5;

etcdserver::Request Put(std::string path, std::string value, bool prev_exist, uint64_t prev_index = 0,
                        bool dir = false) {
  etcdserver::Request r;
  r.method = "PUT";
  r.path = std::move(path);
  r.val = std::move(value);
  r.dir = dir;
  r.prev_exist = prev_exist;
  r.prev_index = prev_index;
  return r;
}

etcdserver::Request Delete(std::string path) {
  etcdserver::Request r;
  r.method = "DELETE";
  r.path = std::move(path);
  r.prev_exist = true;
  return r;
}

void Write(Context& ctx, etcdserver::Request r, WriteDone then) {
  ctx.server.Propose(std::move(r), [then = std::move(then)](etcdserver::Response resp) { then(resp.result); });
}

ApplyResult Failed(store::V2Error e) {
  ApplyResult r;
  r.error = std::move(e);
  return r;
}

// Creates todo[i..] in order; "already exists" is fine.
void CreateEach(Context& ctx, std::shared_ptr<std::vector<etcdserver::Request>> todo, size_t i,
                std::function<void(std::optional<store::V2Error>)> then) {
  if (i == todo->size()) return then(std::nullopt);
  Context* c = &ctx;
  Write(ctx, (*todo)[i], [c, todo, i, then](const ApplyResult& r) {
    if (!r.event && r.error.code != store::kEcodeNodeExist) return then(r.error);
    CreateEach(*c, todo, i + 1, then);
  });
}

// etcd's ensureAuthDirectories, then `r`.
void WriteAfterDirs(Context& ctx, etcdserver::Request r, WriteDone then) {
  auto state = ctx.auth.Current();
  auto todo = std::make_shared<std::vector<etcdserver::Request>>();
  if (!state->has_auth_dir()) todo->push_back(Put(auth::kAuthDir, "", false, 0, true));
  if (!state->has_users_dir()) todo->push_back(Put(auth::kUsersDir, "", false, 0, true));
  if (!state->has_roles_dir()) todo->push_back(Put(auth::kRolesDir, "", false, 0, true));
  if (!state->has_enabled()) todo->push_back(Put(auth::kEnabledPath, "false", false));
  Context* c = &ctx;
  CreateEach(ctx, todo, 0, [c, r = std::move(r), then = std::move(then)](std::optional<store::V2Error> err) mutable {
    if (err) return then(Failed(*err));
    Write(*c, std::move(r), then);
  });
}

// A store error no auth rule explains (a timeout, a lost leader): etcd's
// writeError prints the v2 error.
http::Response StoreFailure(Context& ctx, const store::V2Error& e) {
  http::Response r = KeysError(e, ctx.server.cluster_id());
  AddCors(&r.headers);
  return r;
}

http::Response Empty200(Context& ctx) { return AuthAnswer(ctx, 200, ""); }

// Hashes `password` on the password worker, then `then(hash)`; answers
// itself when that cannot be done.
void HashThen(Context& ctx, std::string password, AuthDone done, std::function<void(std::string)> then) {
  Context* c = &ctx;
  bool queued = ctx.logins.Hash(std::move(password), [c, done, then](common::Result<std::string> hash) {
    if (hash.ok()) return then(std::move(hash.value()));
    const bool bad_input = hash.status().code() == common::Code::kInvalidArgument;
    done(AuthMessage(*c, bad_input ? 400 : 500, bad_input ? "auth: " + hash.status().message()
                                                          : std::string("Internal Server Error")));
  });
  if (!queued) done(AuthMessage(ctx, 503, "auth: too many password checks waiting, try again later"));
}

void UpdateUserAttempt(Context& ctx, auth::User change, std::optional<std::string> hash, int attempts, AuthDone done) {
  auto old = ctx.auth.Current()->FindUser(change.user);
  if (!old) return done(AuthMessage(ctx, 404, "auth: User " + change.user + " does not exist."));
  auth::User merged;
  if (auto err = auth::MergeUser(old->user, change, hash, &merged)) return done(AuthMessage(ctx, err->status, err->message));
  if (merged == old->user) {
    return done(AuthMessage(ctx, 400, "auth: User not updated. Use grant/revoke/password to update the user."));
  }
  Context* c = &ctx;
  auto req = Put(auth::UserPath(change.user), auth::UserJson(merged), true, old->modified_index);
  WriteAfterDirs(ctx, std::move(req), [c, change, hash, attempts, done, merged](const ApplyResult& r) mutable {
    if (r.event) {
      merged.password.clear();
      return done(AuthAnswer(*c, 200, auth::UserJson(merged) + "\n"));
    }
    if ((r.error.code == store::kEcodeTestFailed || r.error.code == store::kEcodeKeyNotFound) && attempts > 1) {
      return UpdateUserAttempt(*c, std::move(change), std::move(hash), attempts - 1, std::move(done));
    }
    done(StoreFailure(*c, r.error));
  });
}

void UpdateRoleAttempt(Context& ctx, auth::Role change, int attempts, AuthDone done) {
  auto old = ctx.auth.Current()->FindRole(change.role);
  if (!old) return done(AuthMessage(ctx, 404, "auth: Role " + change.role + " does not exist."));
  auth::Role merged;
  if (auto err = auth::MergeRole(old->role, change, &merged)) return done(AuthMessage(ctx, err->status, err->message));
  if (merged == old->role) {
    return done(AuthMessage(ctx, 400, "auth: Role not updated. Use grant/revoke to update the role."));
  }
  Context* c = &ctx;
  auto req = Put(auth::RolePath(change.role), auth::RoleJson(merged), true, old->modified_index);
  WriteAfterDirs(ctx, std::move(req), [c, change, attempts, done, merged](const ApplyResult& r) mutable {
    if (r.event) return done(AuthAnswer(*c, 200, auth::RoleJson(merged) + "\n"));
    if ((r.error.code == store::kEcodeTestFailed || r.error.code == store::kEcodeKeyNotFound) && attempts > 1) {
      return UpdateRoleAttempt(*c, std::move(change), attempts - 1, std::move(done));
    }
    done(StoreFailure(*c, r.error));
  });
}

http::Response RootRoleRefusal(Context& ctx) {
  return AuthMessage(ctx, 403, "auth: Cannot modify role root: is root role.");
}

// Writes the auth switch (the record exists after WriteAfterDirs).
void SetEnabled(Context& ctx, bool on, AuthDone done) {
  Context* c = &ctx;
  WriteAfterDirs(ctx, Put(auth::kEnabledPath, on ? "true" : "false", true), [c, done](const ApplyResult& r) {
    done(r.event ? Empty200(*c) : StoreFailure(*c, r.error));
  });
}

}  // namespace

http::Response AuthAnswer(Context& ctx, int status, std::string body) {
  http::Response r = Json(status, std::move(body));
  r.headers.emplace_back("X-Etcd-Cluster-Id", common::FormatId(ctx.server.cluster_id()));
  AddCors(&r.headers);
  return r;
}

http::Response AuthMessage(Context& ctx, int status, const std::string& message) {
  return AuthAnswer(ctx, status, "{\"message\":" + common::JsonString(message) + "}");
}

void CreateUser(Context& ctx, auth::User user, int status, AuthDone done) {
  if (user.user == auth::kRootUser) user = auth::WithRootRole(std::move(user));
  if (user.password.empty()) {
    return done(AuthMessage(ctx, 400, "auth: Cannot create user " + user.user + " with an empty password"));
  }
  Context* c = &ctx;
  std::string password = std::move(user.password);
  user.password.clear();
  HashThen(ctx, std::move(password), done, [c, user, status, done](std::string hash) mutable {
    auth::User stored = user;
    stored.password = std::move(hash);
    WriteAfterDirs(*c, Put(auth::UserPath(user.user), auth::UserJson(stored), false),
                   [c, user, status, done](const ApplyResult& r) {
      if (r.event) return done(AuthAnswer(*c, status, auth::UserJson(user) + "\n"));
      if (r.error.code == store::kEcodeNodeExist) {
        return done(AuthMessage(*c, 409, "auth: User " + user.user + " already exists."));
      }
      done(StoreFailure(*c, r.error));
    });
  });
}

void CreateOrUpdateUser(Context& ctx, auth::User user, AuthDone done) {
  if (ctx.auth.Current()->FindUser(user.user)) return UpdateUser(ctx, std::move(user), std::move(done));
  CreateUser(ctx, std::move(user), 201, std::move(done));
}

void UpdateUser(Context& ctx, auth::User change, AuthDone done) {
  if (!ctx.auth.Current()->FindUser(change.user)) {
    return done(AuthMessage(ctx, 404, "auth: User " + change.user + " does not exist."));
  }
  if (change.password.empty()) return UpdateUserAttempt(ctx, std::move(change), std::nullopt, kUpdateAttempts, done);
  Context* c = &ctx;
  std::string password = std::move(change.password);
  change.password.clear();
  HashThen(ctx, std::move(password), done, [c, change, done](std::string hash) mutable {
    UpdateUserAttempt(*c, std::move(change), std::move(hash), kUpdateAttempts, std::move(done));
  });
}

void DeleteUser(Context& ctx, const std::string& name, AuthDone done) {
  if (ctx.auth.Current()->enabled() && name == auth::kRootUser) {
    return done(AuthMessage(ctx, 403, "auth: Cannot delete root user while auth is enabled."));
  }
  Context* c = &ctx;
  WriteAfterDirs(ctx, Delete(auth::UserPath(name)), [c, name, done](const ApplyResult& r) {
    if (r.event) return done(Empty200(*c));
    if (r.error.code == store::kEcodeKeyNotFound) return done(AuthMessage(*c, 404, "auth: User " + name + " does not exist"));
    done(StoreFailure(*c, r.error));
  });
}

void CreateRole(Context& ctx, auth::Role role, AuthDone done) {
  if (role.role == auth::kRootRole) return done(RootRoleRefusal(ctx));
  Context* c = &ctx;
  std::string json = auth::RoleJson(role);
  WriteAfterDirs(ctx, Put(auth::RolePath(role.role), json, false), [c, name = role.role, json, done](const ApplyResult& r) {
    if (r.event) return done(AuthAnswer(*c, 201, json + "\n"));
    if (r.error.code == store::kEcodeNodeExist) return done(AuthMessage(*c, 409, "auth: Role " + name + " already exists."));
    done(StoreFailure(*c, r.error));
  });
}

void UpdateRole(Context& ctx, auth::Role change, AuthDone done) {
  if (change.role == auth::kRootRole) return done(RootRoleRefusal(ctx));
  UpdateRoleAttempt(ctx, std::move(change), kUpdateAttempts, std::move(done));
}

void DeleteRole(Context& ctx, const std::string& name, AuthDone done) {
  if (name == auth::kRootRole) return done(RootRoleRefusal(ctx));
  Context* c = &ctx;
  WriteAfterDirs(ctx, Delete(auth::RolePath(name)), [c, name, done](const ApplyResult& r) {
    if (r.event) return done(Empty200(*c));
    if (r.error.code == store::kEcodeKeyNotFound) return done(AuthMessage(*c, 404, "auth: Role " + name + " doesn't exist."));
    done(StoreFailure(*c, r.error));
  });
}

void EnableAuth(Context& ctx, AuthDone done) {
  auto state = ctx.auth.Current();
  if (state->enabled()) return done(AuthMessage(ctx, 409, "auth: already enabled"));
  if (!state->FindUser(auth::kRootUser)) {
    return done(AuthMessage(ctx, 409, "auth: No root user available, please create one"));
  }
  if (state->FindRole(auth::kGuestRole)) return SetEnabled(ctx, true, std::move(done));
  Context* c = &ctx;
  CreateRole(ctx, auth::DefaultGuestRole(), [c, done](http::Response created) {
    if (created.status != 201) return done(std::move(created));
    SetEnabled(*c, true, done);
  });
}

void DisableAuth(Context& ctx, AuthDone done) {
  if (!ctx.auth.Current()->enabled()) return done(AuthMessage(ctx, 409, "auth: already disabled"));
  SetEnabled(ctx, false, std::move(done));
}

}  // namespace api
