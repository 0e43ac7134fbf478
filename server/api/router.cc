#include "server/api/router.h"

#include "server/api/go_path.h"
#include "server/api/info_handlers.h"
#include "server/api/keys_handler.h"
#include "server/api/members_handler.h"
#include "server/api/responses.h"

namespace api {
namespace {

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
  if (req.method == "OPTIONS") {
    http::Response r;
    AddCors(&r.headers);
    return ex->Reply(std::move(r));
  }
  auto decoded = DecodePath(req.path);
  if (!decoded.ok()) {
    return ex->Reply(TextError(400, "400 Bad Request"));
  }
  const std::string& path = decoded.value();
  if (auto location = RedirectForUncleanPath(path, req.query)) {
    http::Response r;
    r.status = 301;
    r.headers.emplace_back("Location", *location);
    if (req.method == "GET" || req.method == "HEAD") {
      r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
      r.body = "<a href=\"" + HtmlEscape(*location) + "\">Moved Permanently</a>.\n\n";
    }
    AddCors(&r.headers);
    return ex->Reply(std::move(r));
  }
  std::string rest;
  if (Under(path, "/v2/keys", &rest)) return HandleKeys(ctx, req, ex, rest);
  if (Under(path, "/v2/members", &rest)) return HandleMembers(ctx, req, ex, rest);
  if (path == "/v2/stats/self") return HandleStats(ctx, req, ex, "self");
  if (path == "/v2/stats/leader") return HandleStats(ctx, req, ex, "leader");
  if (path == "/v2/stats/store") return HandleStats(ctx, req, ex, "store");
  if (path == "/v2/machines") return HandleMachines(ctx, req, ex);
  if (path == "/version") return HandleVersion(ctx, req, ex);
  if (path == "/health") return HandleHealth(ctx, req, ex);
  http::Response r = TextError(404, "404 page not found");
  AddCors(&r.headers);
  ex->Reply(std::move(r));
}

}  // namespace

http::Handler MakeClientHandler(Context& ctx) {
  return [&ctx](http::Request req, std::shared_ptr<http::Exchange> ex) { Route(ctx, req, ex); };
}

}  // namespace api
