#include "server/api/info_handlers.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "common/version.h"
#include "common/member_id.h"
#include "server/api/responses.h"

namespace api {
namespace {

void Send(const std::shared_ptr<http::Exchange>& ex, http::Response r) {
  AddCors(&r.headers);
  ex->Reply(std::move(r));
}

// Answers 405 and returns false unless the method is GET (or HEAD where Go allows it).
bool RequireGet(const http::Request& req, const std::shared_ptr<http::Exchange>& ex, bool head_ok) {
  if (req.method == "GET" || (head_ok && req.method == "HEAD")) return true;
  Send(ex, MethodNotAllowed(head_ok ? "GET,HEAD" : "GET"));
  return false;
}

int64_t Ns(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string SelfStats(Context& ctx) {
  const auto& srv = ctx.server;
  etcdserver::SelfStats st = ctx.server.self_stats();
  int64_t leader_since = Ns(st.leader_since);
  return "{\"name\":" + nlohmann::json(srv.config().name).dump() + ",\"id\":\"" +
         common::FormatId(srv.member_id()) + "\",\"state\":\"" +
         (st.leader ? "StateLeader" : "StateFollower") + "\",\"startTime\":\"" +
         common::FormatRfc3339Nano(Ns(srv.start_time()), false) + "\",\"leaderInfo\":{\"leader\":\"" +
         common::FormatId(st.leader_id) + "\",\"uptime\":\"" +
         common::FormatGoDuration(common::UnixNowNs() - leader_since) + "\",\"startTime\":\"" +
         common::FormatRfc3339Nano(leader_since, false) + "\"},\"recvAppendRequestCnt\":" +
         std::to_string(st.recv_append) + ",\"sendAppendRequestCnt\":" + std::to_string(st.send_append) +
         "}";
}

// etcd's /v2/stats/leader: per-follower append latency (ms) and counts.
std::string LeaderStats(Context& ctx) {
  std::string out = "{\"leader\":\"" + common::FormatId(ctx.server.member_id()) + "\",\"followers\":{";
  bool first = true;
  for (const auto& [id, ps] : ctx.server.transport().Stats()) {
    auto num = [](double v) { return nlohmann::json(v).dump(); };
    out += std::string(first ? "" : ",") + "\"" + common::FormatId(id) + "\":{\"latency\":{\"current\":" +
           num(ps.latency_current_ms) + ",\"average\":" + num(ps.latency_average_ms) +
           ",\"standardDeviation\":" + num(ps.latency_stddev_ms) + ",\"minimum\":" +
           num(ps.latency_min_ms) + ",\"maximum\":" + num(ps.latency_max_ms) +
           "},\"counts\":{\"fail\":" + std::to_string(ps.fail) + ",\"success\":" +
           std::to_string(ps.success) + "}}";
    first = false;
  }
  return out + "}}";
}

}  // namespace

void HandleVersion(Context&, const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  if (!RequireGet(req, ex, false)) return;
  Send(ex, Json(200, std::string("{\"etcdserver\":\"") + common::kServerVersion +
                         "\",\"etcdcluster\":\"" + common::kClusterVersion + "\"}"));
}

void HandleHealth(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  if (!RequireGet(req, ex, false)) return;
  // Healthy: a leader is known and a quorum read goes through the log.
  if (ctx.server.leader_id() == 0) {
    http::Response r = Json(503, "{\"health\":\"false\"}");
    r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    return Send(ex, std::move(r));
  }
  etcdserver::Request qget;
  qget.method = "GET";
  qget.path = "/0";
  qget.quorum = true;
  // etcd answers unhealthy when the quorum read takes more than a second.
  ctx.server.Propose(qget, [ex](etcdserver::Response resp) {
    bool ok = resp.result.event.has_value();
    http::Response r;
    r.status = ok ? 200 : 503;
    r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    r.body = ok ? "{\"health\":\"true\"}" : "{\"health\":\"false\"}";
    Send(ex, std::move(r));
  }, std::chrono::seconds(1));
}

void HandleMachines(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  if (!RequireGet(req, ex, true)) return;
  std::vector<std::string> urls;
  for (const auto& m : etcdserver::ReadMembers(ctx.store)) {
    urls.insert(urls.end(), m.client_urls.begin(), m.client_urls.end());
  }
  std::sort(urls.begin(), urls.end());
  std::string body;
  for (const auto& u : urls) body += (body.empty() ? "" : ", ") + u;
  http::Response r;
  r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  if (req.method != "HEAD") r.body = body;
  Send(ex, std::move(r));
}

void HandleStats(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                 const std::string& which) {
  if (!RequireGet(req, ex, false)) return;
  if (which == "store") return Send(ex, Json(200, ctx.store.StatsJson()));
  if (which == "self") return Send(ex, Json(200, SelfStats(ctx)));
  if (ctx.server.leader_id() != ctx.server.member_id()) {
    return Send(ex, Json(403, "{\"message\":\"not current leader\"}"));
  }
  Send(ex, Json(200, LeaderStats(ctx)));
}

}  // namespace api
