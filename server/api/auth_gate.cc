#include "server/api/auth_gate.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include "common/base64.h"
#include "server/api/responses.h"
#include "server/auth/records.h"

namespace api {
namespace {

// How late a failed login is answered: about what a bcrypt check costs
// etcd, so a password guesser gets no more tries a connection than there.
constexpr std::chrono::milliseconds kFailedLoginDelay{100};

struct Credentials {
  std::string user, password;
};

// Go's Request.BasicAuth: "Basic " (any case), standard base64 of "user:password".
std::optional<Credentials> ParseBasicAuth(const std::string& header) {
  constexpr std::string_view kPrefix = "basic ";
  if (header.size() < kPrefix.size()) return std::nullopt;
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kPrefix[i]) return std::nullopt;
  }
  auto decoded = common::Base64Decode(std::string_view(header).substr(kPrefix.size()));
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

bool IsRead(const std::string& method) { return method == "GET" || method == "HEAD"; }

// What a user with a good password may do, under `state`.
using Decision = std::function<Gate(const auth::AuthState& state, const auth::UserRecord& user)>;

// Checks the Basic credentials in `header`, then decides.
void AsUser(Context& ctx, std::shared_ptr<const auth::AuthState> state, const std::string& header,
            Decision decide, GateCallback then) {
  auto creds = ParseBasicAuth(header);
  if (!creds) return then(Gate::kLoginFailed);
  auto user = state->FindUser(creds->user);
  if (!user) return then(Gate::kLoginFailed);
  if (auto known = ctx.logins.Known(creds->user, creds->password, user->binding)) {
    return then(*known == auth::Verdict::kGood ? decide(*state, *user) : Gate::kLoginFailed);
  }
  auto finish = [state, user, decide = std::move(decide), then = std::move(then)](auth::Verdict v) {
    if (v == auth::Verdict::kBusy) return then(Gate::kBusy);
    then(v == auth::Verdict::kGood ? decide(*state, *user) : Gate::kLoginFailed);
  };
  auto now = ctx.logins.Check(creds->user, creds->password, user->user.password, user->binding, finish);
  if (now) finish(*now);
}

Gate KeyDecision(const auth::AuthState& state, const auth::UserRecord& user, const std::string& key,
                 bool recursive, bool write) {
  if (!user.user.roles) return Gate::kDenied;
  for (const std::string& name : *user.user.roles) {
    auto role = state.FindRole(name);
    if (!role) continue;
    if (recursive ? auth::HasRecursiveAccess(role->role, key, write) : auth::HasKeyAccess(role->role, key, write)) {
      return Gate::kAllowed;
    }
  }
  return Gate::kDenied;
}

}  // namespace

void CheckKeyAccess(Context& ctx, const http::Request& req, const std::string& key, bool recursive,
                    GateCallback then) {
  auto state = ctx.auth.Current();
  if (!state->enabled()) return then(Gate::kAllowed);
  const bool write = !IsRead(req.method);
  const std::string& header = req.Header("Authorization");
  if (header.empty()) {
    // etcd checks guests by the plain rule, recursive or not.
    auto guest = state->FindRole(auth::kGuestRole);
    return then(guest && auth::HasKeyAccess(guest->role, key, write) ? Gate::kAllowed : Gate::kDenied);
  }
  AsUser(ctx, std::move(state), header,
         [key, recursive, write](const auth::AuthState& st, const auth::UserRecord& u) {
           return KeyDecision(st, u, key, recursive, write);
         },
         std::move(then));
}

void CheckRootAccess(Context& ctx, const http::Request& req, GateCallback then) {
  auto state = ctx.auth.Current();
  if (!state->enabled()) return then(Gate::kAllowed);
  const std::string& header = req.Header("Authorization");
  if (header.empty()) return then(Gate::kDenied);  // no login tried: no reason to answer late
  AsUser(ctx, std::move(state), header,
         [](const auth::AuthState&, const auth::UserRecord& u) {
           const auto& roles = u.user.roles;
           bool root = roles && std::find(roles->begin(), roles->end(), auth::kRootRole) != roles->end();
           return root ? Gate::kAllowed : Gate::kDenied;
         },
         std::move(then));
}

void Refuse(Context& ctx, Gate gate, http::Response denial, const std::shared_ptr<http::Exchange>& ex) {
  if (gate == Gate::kDenied) return ex->Reply(std::move(denial));
  if (gate == Gate::kBusy) {
    const bool head = denial.body.empty();  // a HEAD's denial has no body
    denial = Json(503, head ? "" : "{\"message\":\"auth: too many password checks waiting, try again later\"}");
    AddCors(&denial.headers);
  }
  ctx.logins.RunLater(kFailedLoginDelay, [ex, denial = std::move(denial)]() mutable { ex->Reply(std::move(denial)); });
}

http::Response InsufficientCredentials() {
  http::Response r = Json(401, "{\"message\":\"Insufficient credentials\"}");
  AddCors(&r.headers);
  return r;
}

}  // namespace api
