#include "server/api/router.h"

#include "server/api/auth_gate.h"
#include "server/api/auth_handler.h"
#include "server/api/go_path.h"
#include "server/api/info_handlers.h"
#include "server/api/keys_handler.h"
#include "server/api/members_handler.h"
#include "server/api/responses.h"
#include "server/api/snapshot_service.h"

namespace api {
namespace {

// The online snapshot holds every key and the auth records: root only, as
// etcd's admin endpoints, while auth is on.
void HandleSnapshot(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  auto held = std::make_shared<http::Request>(req);
  Context* c = &ctx;
  CheckRootAccess(ctx, req, [c, held, ex](Gate gate) {
    if (gate == Gate::kAllowed) return c->snapshots->Handle(*held, ex);
    Refuse(*c, gate, InsufficientCredentials(), ex);
  });
}

bool Under(const std::string& path, const std::string& prefix, std::string* rest) {
  if (path == prefix) {
    rest->clear();
    return true;
  }
  if (path.compare(0, prefix.size() + 1, prefix + "/") == 0) {
    *rest = path.substr(prefix.size());
    return true;
  }
  return false;
}

void Route(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  auto decoded = DecodeRequestPath(req);
  if (!decoded.ok()) return ex->Reply(BadRequestResponse());
  // etcd's CORS wrapper answers OPTIONS on any path, even an unclean one.
  if (req.method == "OPTIONS") {
    http::Response r;
    AddCors(&r.headers);
    return ex->Reply(std::move(r));
  }
  const std::string& path = decoded.value();
  if (auto redirect = MuxCleanRedirect(req.method, path, req.query)) {
    AddCors(&redirect->headers);
    return ex->Reply(std::move(*redirect));
  }
  std::string rest;
  if (Under(path, "/v2/keys", &rest)) return HandleKeys(ctx, req, ex, rest);
  if (Under(path, "/v2/members", &rest)) return HandleMembers(ctx, req, ex, rest);
  if (Under(path, "/v2/auth", &rest)) return HandleAuth(ctx, req, ex, rest);
  if (path == "/v2/stats/self") return HandleStats(ctx, req, ex, "self");
  if (path == "/v2/stats/leader") return HandleStats(ctx, req, ex, "leader");
  if (path == "/v2/stats/store") return HandleStats(ctx, req, ex, "store");
  if (path == "/v2/machines") return HandleMachines(ctx, req, ex);
  if (path == "/version") return HandleVersion(ctx, req, ex);
  if (path == "/health") return HandleHealth(ctx, req, ex);
  if (path == "/kvraft/snapshot" && ctx.snapshots) return HandleSnapshot(ctx, req, ex);
  http::Response r = NotFound(path);
  AddCors(&r.headers);
  ex->Reply(std::move(r));
}

}  // namespace

http::Handler MakeClientHandler(Context& ctx) {
  return [&ctx](http::Request req, std::shared_ptr<http::Exchange> ex) { Route(ctx, req, ex); };
}

}  // namespace api
