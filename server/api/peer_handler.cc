#include "server/api/peer_handler.h"

#include <nlohmann/json.hpp>

#include <utility>

#include "common/member_id.h"
#include "server/api/info_handlers.h"
#include "server/api/responses.h"

namespace api {
namespace {

// etcd's peer /members: a JSON array with numeric ids; empty name and client
// URLs are omitted.
std::string PeerMembersJson(Context& ctx) {
  std::string out = "[";
  for (const auto& m : etcdserver::ReadMembers(ctx.store)) {
    if (out.size() > 1) out += ",";
    out += "{\"id\":" + std::to_string(m.id) + ",\"peerURLs\":" + nlohmann::json(m.peer_urls).dump();
    if (!m.name.empty()) out += ",\"name\":" + nlohmann::json(m.name).dump();
    if (!m.client_urls.empty()) out += ",\"clientURLs\":" + nlohmann::json(m.client_urls).dump();
    out += "}";
  }
  return out + "]\n";
}

void Route(Context& ctx, http::Request req, const std::shared_ptr<http::Exchange>& ex) {
  if (req.path == "/raft") {
    if (req.method != "POST") return ex->Reply(MethodNotAllowed("POST"));
    return ctx.server.transport().HandleRaft(req, ex);
  }
  if (req.path == "/raft/snapshot") {
    if (req.method != "POST") return ex->Reply(MethodNotAllowed("POST"));
    return ctx.server.transport().HandleSnapshot(std::move(req), ex);
  }
  if (req.path == "/version") return HandleVersion(ctx, req, ex);
  if (req.path == "/members" || req.path.rfind("/members/", 0) == 0) {
    if (req.method != "GET") return ex->Reply(MethodNotAllowed("GET"));
    if (req.path != "/members") return ex->Reply(TextError(400, "bad path"));
    http::Response r = Json(200, PeerMembersJson(ctx));
    r.headers.emplace_back("X-Etcd-Cluster-Id", common::FormatId(ctx.server.cluster_id()));
    return ex->Reply(std::move(r));
  }
  ex->Reply(TextError(404, "404 page not found"));
}

}  // namespace

http::Handler MakePeerHandler(Context& ctx) {
  return [&ctx](http::Request req, std::shared_ptr<http::Exchange> ex) { Route(ctx, std::move(req), ex); };
}

}  // namespace api
