#include "cli/auth_commands.h"

#include <nlohmann/json.hpp>

#include "cli/session.h"
#include "common/json_string.h"

namespace cli {
namespace {

using Json = nlohmann::json;

int Fail(const std::string& text) {
  Err(text + "\n");
  return kExitBadArgs;
}

// What etcd's client makes of a refused call: the server's "message" (its
// authError), or Go's decode error when the body is not JSON.
std::string AuthErrorText(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    size_t at = body.find_first_not_of(" \t\r\n");
    if (at == std::string::npos) return "unexpected end of JSON input";
    return std::string("invalid character '") + body[at] + "' looking for beginning of value";
  }
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"];
  return "";
}

// One auth API call. A status in `ok` gives the body; another is an auth
// error, or with `bare_status` "unexpected status code N" (as the Go client
// answers for role lists).
CtlResult<std::string> Call(Client& client, const std::string& method, const std::string& target,
                            const std::string& body, std::initializer_list<int> ok, bool bare_status = false) {
  CtlResult<common::HttpResponse> r = client.Do({method, target, body, body.empty() ? "" : "application/json"});
  if (!r.ok()) return r.error;
  for (int status : ok) {
    if (r.value->status == status) return r.value->body;
  }
  if (bare_status) return CtlError{"unexpected status code " + std::to_string(r.value->status)};
  return CtlError{AuthErrorText(r.value->body)};
}

std::string Quoted(const std::string& s) { return common::JsonString(s); }

std::string List(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + Quoted(items[i]);
  return out + "]";
}

// Creates the client of a command with one name argument, or answers.
std::unique_ptr<Client> ClientForName(CommandContext& ctx, const char* missing, int* code) {
  if (ctx.args.size() != 1) {
    *code = Fail(missing);
    return nullptr;
  }
  return NewClient(ctx.global, true, code);
}

constexpr char kNoUser[] = "Please provide a username";
constexpr char kNoRole[] = "Please provide a role name";

// The user JSON etcd's client sends (Go's marshalling of its User).
std::string UserBody(const std::string& user, const std::string& password, const char* list_field = nullptr,
                     const std::vector<std::string>& list = {}) {
  std::string out = "{\"user\":" + Quoted(user);
  if (!password.empty()) out += ",\"password\":" + Quoted(password);
  out += ",\"roles\":null";
  if (list_field != nullptr) out += std::string(",\"") + list_field + "\":" + List(list);
  return out + "}";
}

int UserGrantRevoke(CommandContext& ctx, bool grant) {
  std::vector<std::string> roles = ctx.flags.Strings("roles");
  if (roles.empty()) return Fail("No roles specified; please use `--roles`");
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoUser, &code);
  if (!client) return code;
  const std::string& user = ctx.args[0];
  auto r = Call(*client, "PUT", AuthTarget("users", user), UserBody(user, "", grant ? "grant" : "revoke", roles),
                {200});
  if (!r.ok()) return Fail(r.error.Text());
  Out("User " + user + " updated\n");
  return kExitSuccess;
}

// etcd's client decodes a user's roles as strings first; objects (what the
// server sends) fail that and leave an empty string each, before their
// names are appended: "Roles:  root" for one role.
std::string RolesLine(const Json& user) {
  std::vector<std::string> roles;
  if (user.is_object() && user.contains("roles") && user["roles"].is_array()) {
    const Json& list = user["roles"];
    bool objects = false;
    for (const auto& r : list) objects = objects || r.is_object();
    for (const auto& r : list) roles.push_back(r.is_string() ? r.get<std::string>() : "");
    if (objects) {
      for (const auto& r : list) {
        if (r.is_object() && r.contains("role") && r["role"].is_string()) roles.push_back(r["role"]);
      }
    }
  }
  std::string out;
  for (size_t i = 0; i < roles.size(); ++i) out += (i ? " " : "") + roles[i];
  return "Roles: " + out + "\n";
}

// {"kv":{"read":[path],"write":null}} and so on, by the flags given.
std::string PermissionBody(const std::string& path, bool read, bool write) {
  std::string p = "[" + Quoted(path) + "]";
  return "{\"kv\":{\"read\":" + (read ? p : "null") + ",\"write\":" + (write ? p : "null") + "}}";
}

int RoleGrantRevoke(CommandContext& ctx, bool grant) {
  const std::string path = ctx.flags.String("path");
  if (path.empty()) return Fail("No path specified; please use `--path`");
  if (CanonicalPath(path) != path) return Fail("Not canonical path; please use `--path=" + CanonicalPath(path) + "`");
  const bool read = ctx.flags.Bool("read"), write = ctx.flags.Bool("write"), rw = ctx.flags.Bool("readwrite");
  if (read + write + rw != 1) return Fail("Please specify exactly one of --read, --write or --readwrite");
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoRole, &code);
  if (!client) return code;
  const std::string& role = ctx.args[0];
  auto current = Call(*client, "GET", AuthTarget("roles", role), "", {200});
  if (!current.ok()) return Fail(current.error.Text());
  std::string body = "{\"role\":" + Quoted(role) + ",\"permissions\":{\"kv\":{\"read\":null,\"write\":null}},\"" +
                     (grant ? "grant" : "revoke") + "\":" + PermissionBody(path, read || rw, write || rw) + "}";
  auto updated = Call(*client, "PUT", AuthTarget("roles", role), body, {200});
  if (!updated.ok()) return Fail(updated.error.Text());
  if (Json::parse(*updated.value, nullptr, false) == Json::parse(*current.value, nullptr, false)) {
    Out(grant ? "Role unchanged; already granted" : "Role unchanged; already revoked");
  }
  Out("Role " + role + " updated\n");
  return kExitSuccess;
}

// The names under `field` ("users" or "roles") of a list answer, each
// object's `name_field`.
std::vector<std::string> Names(const std::string& body, const char* field, const char* name_field) {
  std::vector<std::string> names;
  Json j = Json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains(field) || !j[field].is_array()) return names;
  for (const auto& e : j[field]) {
    names.push_back(e.is_object() && e.contains(name_field) && e[name_field].is_string() ? e[name_field] : "");
  }
  return names;
}

int AuthSwitch(CommandContext& ctx, bool enable) {
  if (!ctx.args.empty()) return Fail("No arguments accepted");
  int code = kExitSuccess;
  auto client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  auto r = Call(*client, enable ? "PUT" : "DELETE", AuthTarget("enable", ""), "", {200, 201});
  if (!r.ok()) return Fail(r.error.Text());
  Out(enable ? "Authentication Enabled\n" : "Authentication Disabled\n");
  return kExitSuccess;
}

}  // namespace

int UserAddAction(CommandContext& ctx) {
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoUser, &code);
  if (!client) return code;
  const std::string& arg = ctx.args[0];
  const size_t colon = arg.find(':');
  const std::string user = arg.substr(0, colon);
  const std::string password = colon == std::string::npos ? AskPassword("New password: ") : arg.substr(colon + 1);
  auto r = Call(*client, "PUT", AuthTarget("users", user), UserBody(user, password), {200, 201});
  if (!r.ok()) return Fail(r.error.Text());
  Out("User " + user + " created\n");
  return kExitSuccess;
}

int UserGetAction(CommandContext& ctx) {
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoUser, &code);
  if (!client) return code;
  auto r = Call(*client, "GET", AuthTarget("users", ctx.args[0]), "", {200});
  if (!r.ok()) return Fail(r.error.Text());
  Json user = Json::parse(*r.value, nullptr, false);
  std::string name = user.is_object() && user.contains("user") && user["user"].is_string() ? user["user"] : "";
  Out("User: " + name + "\n" + RolesLine(user));
  return kExitSuccess;
}

int UserListAction(CommandContext& ctx) {
  if (!ctx.args.empty()) return Fail("No arguments accepted");
  int code = kExitSuccess;
  auto client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  auto r = Call(*client, "GET", AuthTarget("users", ""), "", {200});
  if (!r.ok()) return Fail(r.error.Text());
  for (const auto& name : Names(*r.value, "users", "user")) Out(name + "\n");
  return kExitSuccess;
}

int UserRemoveAction(CommandContext& ctx) {
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoUser, &code);
  if (!client) return code;
  const std::string& user = ctx.args[0];
  auto r = Call(*client, "DELETE", AuthTarget("users", user), "", {200, 201});
  if (!r.ok()) return Fail(r.error.Text());
  Out("User " + user + " removed\n");
  return kExitSuccess;
}

int UserGrantAction(CommandContext& ctx) { return UserGrantRevoke(ctx, true); }
int UserRevokeAction(CommandContext& ctx) { return UserGrantRevoke(ctx, false); }

int UserPasswdAction(CommandContext& ctx) {
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoUser, &code);
  if (!client) return code;
  const std::string& user = ctx.args[0];
  const std::string password = AskPassword("New password: ");
  auto r = Call(*client, "PUT", AuthTarget("users", user), UserBody(user, password), {200});
  if (!r.ok()) return Fail(r.error.Text());
  Out("Password updated\n");
  return kExitSuccess;
}

int RoleAddAction(CommandContext& ctx) {
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoRole, &code);
  if (!client) return code;
  const std::string& role = ctx.args[0];
  if (Call(*client, "GET", AuthTarget("roles", role), "", {200}).ok()) return Fail("Role " + role + " already exists");
  std::string body = "{\"role\":" + Quoted(role) + ",\"permissions\":{\"kv\":{\"read\":null,\"write\":null}}}";
  auto r = Call(*client, "PUT", AuthTarget("roles", role), body, {200, 201});
  if (!r.ok()) return Fail(r.error.Text());
  Out("Role " + role + " created\n");
  return kExitSuccess;
}

int RoleGetAction(CommandContext& ctx) {
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoRole, &code);
  if (!client) return code;
  auto r = Call(*client, "GET", AuthTarget("roles", ctx.args[0]), "", {200});
  if (!r.ok()) return Fail(r.error.Text());
  Json role = Json::parse(*r.value, nullptr, false);
  auto list = [&role](const char* field) {
    std::string out;
    if (!role.is_object() || !role.contains("permissions")) return out;
    const Json& p = role["permissions"];
    if (!p.is_object() || !p.contains("kv") || !p["kv"].is_object() || !p["kv"].contains(field)) return out;
    const Json& l = p["kv"][field];
    if (!l.is_array()) return out;
    for (const auto& v : l) out += "\t" + (v.is_string() ? v.get<std::string>() : std::string()) + "\n";
    return out;
  };
  std::string name = role.is_object() && role.contains("role") && role["role"].is_string() ? role["role"] : "";
  Out("Role: " + name + "\nKV Read:\n" + list("read") + "KV Write:\n" + list("write"));
  return kExitSuccess;
}

int RoleListAction(CommandContext& ctx) {
  if (!ctx.args.empty()) return Fail("No arguments accepted");
  int code = kExitSuccess;
  auto client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  auto r = Call(*client, "GET", AuthTarget("roles", ""), "", {200}, /*bare_status=*/true);
  if (!r.ok()) return Fail(r.error.Text());
  for (const auto& name : Names(*r.value, "roles", "role")) Out(name + "\n");
  return kExitSuccess;
}

int RoleRemoveAction(CommandContext& ctx) {
  int code = kExitSuccess;
  auto client = ClientForName(ctx, kNoRole, &code);
  if (!client) return code;
  const std::string& role = ctx.args[0];
  auto r = Call(*client, "DELETE", AuthTarget("roles", role), "", {200, 201});
  if (!r.ok()) return Fail(r.error.Text());
  Out("Role " + role + " removed\n");
  return kExitSuccess;
}

int RoleGrantAction(CommandContext& ctx) { return RoleGrantRevoke(ctx, true); }
int RoleRevokeAction(CommandContext& ctx) { return RoleGrantRevoke(ctx, false); }

int AuthEnableAction(CommandContext& ctx) { return AuthSwitch(ctx, true); }
int AuthDisableAction(CommandContext& ctx) { return AuthSwitch(ctx, false); }

}  // namespace cli
