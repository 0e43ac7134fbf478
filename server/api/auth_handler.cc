#include "server/api/auth_handler.h"

#include <optional>

#include "common/json_string.h"
#include "server/api/auth_gate.h"
#include "server/api/auth_writes.h"
#include "server/api/responses.h"

namespace api {
namespace {

constexpr const char* kCollectionAllow = "GET";
constexpr const char* kItemAllow = "GET,PUT,DELETE";

// What a /v2/auth path names.
struct Target {
  enum Kind { kEnable, kUsers, kRoles } kind;
  std::optional<std::string> name;  // an item of kUsers or kRoles
};

void Reply(const std::shared_ptr<http::Exchange>& ex, http::Response r) {
  AddCors(&r.headers);
  ex->Reply(std::move(r));
}

// {"user":..,"roles":[ROLE..]} with the roles left out when there are none.
// A missing role is skipped in listings and an error for a single user.
std::optional<std::string> UserWithRoles(const auth::AuthState& st, const auth::UserRecord& u, bool skip_missing,
                                         std::string* missing) {
  std::string out = "{\"user\":" + common::JsonString(u.user.user);
  std::string roles;
  if (u.user.roles) {
    for (const auto& name : *u.user.roles) {
      auto role = st.FindRole(name);
      if (!role) {
        if (skip_missing) continue;
        *missing = name;
        return std::nullopt;
      }
      roles += (roles.empty() ? "" : ",") + auth::RoleJson(role->role);
    }
  }
  if (!roles.empty()) out += ",\"roles\":[" + roles + "]";
  return out + "}";
}

http::Response ListUsers(Context& ctx) {
  auto st = ctx.auth.Current();
  std::string users;
  std::string unused;
  for (const auto& name : st->UserNames()) {
    auto u = st->FindUser(name);
    if (u) users += (users.empty() ? "" : ",") + *UserWithRoles(*st, *u, true, &unused);
  }
  return AuthAnswer(ctx, 200, "{\"users\":" + (users.empty() ? std::string("null") : "[" + users + "]") + "}\n");
}

http::Response ListRoles(Context& ctx) {
  auto st = ctx.auth.Current();
  std::string roles;
  for (const auto& name : st->RoleNames()) {
    auto r = st->FindRole(name);
    if (!r) return AuthMessage(ctx, 404, "auth: Role " + name + " does not exist.");
    roles += (roles.empty() ? "" : ",") + auth::RoleJson(r->role);
  }
  return AuthAnswer(ctx, 200, "{\"roles\":[" + roles + "]}\n");
}

http::Response GetUser(Context& ctx, const std::string& name) {
  auto st = ctx.auth.Current();
  auto u = st->FindUser(name);
  if (!u) return AuthMessage(ctx, 404, "auth: User " + name + " does not exist.");
  std::string missing;
  auto json = UserWithRoles(*st, *u, false, &missing);
  if (!json) return AuthMessage(ctx, 404, "auth: Role " + missing + " does not exist.");
  return AuthAnswer(ctx, 200, *json + "\n");
}

http::Response GetRole(Context& ctx, const std::string& name) {
  auto r = ctx.auth.Current()->FindRole(name);
  if (!r) return AuthMessage(ctx, 404, "auth: Role " + name + " does not exist.");
  return AuthAnswer(ctx, 200, auth::RoleJson(r->role) + "\n");
}

bool Empty(const auth::StringList& l) { return !l || l->empty(); }

void PutUser(Context& ctx, const http::Request& req, const std::string& name, AuthDone done) {
  auto u = auth::ParseUser(req.body);
  if (!u) return done(AuthMessage(ctx, 400, "Invalid JSON in request body."));
  if (u->user != name) return done(AuthMessage(ctx, 400, "User JSON name does not match the name in the URL"));
  if (Empty(u->grant) && Empty(u->revoke)) {
    // Roles mean a create; a password alone may be either.
    if (!Empty(u->roles)) return CreateUser(ctx, std::move(*u), 200, std::move(done));
    return CreateOrUpdateUser(ctx, std::move(*u), std::move(done));
  }
  if (!Empty(u->roles)) return done(AuthMessage(ctx, 400, "User JSON contains both roles and grant/revoke"));
  UpdateUser(ctx, std::move(*u), std::move(done));
}

void PutRole(Context& ctx, const http::Request& req, const std::string& name, AuthDone done) {
  auto r = auth::ParseRole(req.body);
  if (!r) return done(AuthMessage(ctx, 400, "Invalid JSON in request body."));
  if (r->role != name) return done(AuthMessage(ctx, 400, "Role JSON name does not match the name in the URL"));
  if ((!r->grant || r->grant->IsEmpty()) && (!r->revoke || r->revoke->IsEmpty())) {
    return CreateRole(ctx, std::move(*r), std::move(done));
  }
  if (!r->permissions.IsEmpty()) {
    return done(AuthMessage(ctx, 400, "Role JSON contains both permissions and grant/revoke"));
  }
  UpdateRole(ctx, std::move(*r), std::move(done));
}

// A request past the method and root checks.
void Serve(Context& ctx, const http::Request& req, const Target& t, AuthDone done) {
  const std::string& m = req.method;
  if (t.kind == Target::kEnable) {
    if (m == "PUT") return EnableAuth(ctx, std::move(done));
    if (m == "DELETE") return DisableAuth(ctx, std::move(done));
    bool on = ctx.auth.Current()->enabled();
    return done(AuthAnswer(ctx, 200, on ? "{\"enabled\":true}\n" : "{\"enabled\":false}\n"));
  }
  const bool users = t.kind == Target::kUsers;
  if (!t.name) return done(users ? ListUsers(ctx) : ListRoles(ctx));
  const std::string& name = *t.name;
  if (m == "GET") return done(users ? GetUser(ctx, name) : GetRole(ctx, name));
  if (m == "PUT") return users ? PutUser(ctx, req, name, std::move(done)) : PutRole(ctx, req, name, std::move(done));
  users ? DeleteUser(ctx, name, std::move(done)) : DeleteRole(ctx, name, std::move(done));
}

// Which target `rest` names; nullopt for 404. "Invalid path" sets *invalid.
std::optional<Target> Parse(const std::string& rest, bool* invalid) {
  if (rest == "/enable") return Target{Target::kEnable, std::nullopt};
  for (auto [prefix, kind] : {std::pair{"/users", Target::kUsers}, std::pair{"/roles", Target::kRoles}}) {
    const std::string p = prefix;
    if (rest == p) return Target{kind, std::nullopt};
    if (rest.compare(0, p.size() + 1, p + "/") != 0) continue;
    // etcd splits path.Clean of the rest: a trailing slash goes.
    std::string sub = rest.substr(p.size() + 1);
    if (!sub.empty() && sub.back() == '/') sub.pop_back();
    if (sub.empty()) return Target{kind, std::nullopt};
    if (sub.find('/') != std::string::npos) {
      *invalid = true;
      return std::nullopt;
    }
    return Target{kind, sub};
  }
  return std::nullopt;
}

}  // namespace

void HandleAuth(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                const std::string& rest) {
  bool invalid = false;
  auto target = Parse(rest, &invalid);
  if (invalid) return Reply(ex, Json(400, "{\"message\":\"Invalid path\"}"));
  if (!target) return Reply(ex, NotFound("/v2/auth" + rest));
  const std::string& m = req.method;
  const bool collection = target->kind != Target::kEnable && !target->name;
  if (collection ? m != "GET" : (m != "GET" && m != "PUT" && m != "DELETE")) {
    return Reply(ex, MethodNotAllowed(collection ? kCollectionAllow : kItemAllow));
  }
  AuthDone done = [ex](http::Response r) { ex->Reply(std::move(r)); };
  // Anyone may read the switch; everything else needs root.
  if (target->kind == Target::kEnable && m == "GET") return Serve(ctx, req, *target, std::move(done));
  auto held = std::make_shared<http::Request>(req);
  Context* c = &ctx;
  CheckRootAccess(ctx, req, [c, held, t = *target, ex, done](Gate gate) {
    if (gate == Gate::kAllowed) return Serve(*c, *held, t, done);
    Refuse(*c, gate, InsufficientCredentials(), ex);
  });
}

}  // namespace api
