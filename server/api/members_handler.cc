#include "server/api/members_handler.h"

#include "common/log.h"
#include "common/member_id.h"
#include "server/api/responses.h"

namespace api {
namespace {

constexpr const char* kMembersAllow = "GET,POST,DELETE,PUT";

void Send(Context& ctx, const std::shared_ptr<http::Exchange>& ex, http::Response r) {
  r.headers.emplace_back("X-Etcd-Cluster-Id", common::FormatId(ctx.server.cluster_id()));
  AddCors(&r.headers);
  ex->Reply(std::move(r));
}

http::Response Message(int status, const std::string& message) {
  return Json(status, "{\"message\":\"" + message + "\"}");
}

void List(Context& ctx, const std::shared_ptr<http::Exchange>& ex) {
  std::string body = "{\"members\":[";
  bool first = true;
  for (const auto& m : etcdserver::ReadMembers(ctx.store)) {
    body += (first ? "" : ",") + etcdserver::MemberJson(m);
    first = false;
  }
  Send(ctx, ex, Json(200, body + "]}\n"));
}

void Leader(Context& ctx, const std::shared_ptr<http::Exchange>& ex) {
  uint64_t leader = ctx.server.leader_id();
  for (const auto& m : etcdserver::ReadMembers(ctx.store)) {
    if (m.id == leader) return Send(ctx, ex, Json(200, etcdserver::MemberJson(m) + "\n"));
  }
  Send(ctx, ex, Message(503, "During election"));
}

}  // namespace

void HandleMembers(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                   const std::string& rest) {
  const std::string& m = req.method;
  if (m != "GET" && m != "POST" && m != "DELETE" && m != "PUT") {
    http::Response r = MethodNotAllowed(kMembersAllow);
    AddCors(&r.headers);
    return ex->Reply(std::move(r));
  }
  bool collection = rest.empty() || rest == "/";
  if (m == "GET") {
    if (collection) return List(ctx, ex);
    if (rest == "/leader") return Leader(ctx, ex);
    return Send(ctx, ex, Message(404, "Not found"));
  }
  if ((m == "DELETE" || m == "PUT") && collection) {
    http::Response r = MethodNotAllowed(kMembersAllow);
    AddCors(&r.headers);
    return ex->Reply(std::move(r));
  }
  // Membership changes need replication (a one-member log cannot grow its
  // quorum safely); they arrive with Raft.
  KV_LOG(kWarn, "api") << m << " /v2/members" << rest << ": membership changes are not supported yet";
  Send(ctx, ex, Message(500, "Internal Server Error"));
}

}  // namespace api
