#include "server/api/keys_handler.h"

#include "common/time_format.h"
#include "server/api/auth_gate.h"
#include "server/api/keys_parse.h"
#include "common/member_id.h"
#include "server/api/responses.h"

namespace api {
namespace {

constexpr const char* kKeysAllow = "HEAD,GET,PUT,POST,DELETE";

// FormatId of the cluster id, remembered per thread: every keys answer
// carries it and it hardly ever changes.
const std::string& ClusterIdText(uint64_t cluster_id) {
  thread_local uint64_t cached_id = 0;
  thread_local std::string cached_text = common::FormatId(0);
  if (cluster_id != cached_id) {
    cached_text = common::FormatId(cluster_id);
    cached_id = cluster_id;
  }
  return cached_text;
}

// The headers of an event answer, CORS included. This runs for every keys
// request, so the vector is built once, in place, already sorted by name.
http::Headers EventHeaders(Context& ctx, uint64_t etcd_index, uint64_t raft_index, uint64_t raft_term) {
  http::Headers h;
  h.reserve(8);
  AddCors(&h);
  h.emplace_back("Content-Type", "application/json");
  h.emplace_back("X-Etcd-Cluster-Id", ClusterIdText(ctx.server.cluster_id()));
  h.emplace_back("X-Etcd-Index", std::to_string(etcd_index));
  h.emplace_back("X-Raft-Index", std::to_string(raft_index));
  h.emplace_back("X-Raft-Term", std::to_string(raft_term));
  return h;
}

// What of a KeysRequest shapes its answer.
struct AnswerShape {
  bool head = false;                 // headers only
  bool no_value_on_success = false;
};

// noValueOnSuccess drops the nodes of successful writes only.
bool DropsValue(const AnswerShape& shape, const store::Event& ev) {
  return shape.no_value_on_success && ev.action != "get" && ev.action != "delete" &&
         ev.action != "compareAndDelete" && ev.action != "expire";
}

http::Response EventResponse(Context& ctx, const AnswerShape& shape, const store::Event& ev,
                             uint64_t raft_index, uint64_t raft_term) {
  http::Response r;
  r.status = ev.IsCreated() ? 201 : 200;
  r.headers = EventHeaders(ctx, ev.etcd_index, raft_index, raft_term);
  if (!shape.head) r.body = store::EventJson(ev, common::UnixNowNs(), "/1", DropsValue(shape, ev));
  return r;
}

http::Response Answer(Context& ctx, const AnswerShape& shape, const etcdserver::ApplyResult& result,
                      uint64_t raft_index, uint64_t raft_term) {
  if (result.event) return EventResponse(ctx, shape, *result.event, raft_index, raft_term);
  http::Response r = KeysError(result.error, ctx.server.cluster_id());
  if (shape.head) r.body.clear();
  AddCors(&r.headers);
  return r;
}

void Watch(Context& ctx, const KeysRequest& kr, const std::shared_ptr<http::Exchange>& ex) {
  const etcdserver::Request& r = kr.req;
  auto session = std::make_shared<WatchSession>(ex, r.stream);
  std::weak_ptr<WatchSession> weak = session;
  WatchDispatcher& dispatcher = ctx.watches;
  auto watcher = ctx.store.Watch(r.path, r.recursive, r.stream, r.since, [weak, &dispatcher] {
    if (auto s = weak.lock()) dispatcher.Schedule(s);
  });
  if (!watcher.ok()) {
    http::Response err = KeysError(watcher.error(), ctx.server.cluster_id());
    AddCors(&err.headers);
    ex->Reply(std::move(err));
    return;
  }
  session->watcher = watcher.value();
  ex->OnClientGone([weak, &dispatcher] {
    if (auto s = weak.lock()) {
      s->watcher->Remove();
      dispatcher.Schedule(s);
    }
  });
  // Headers go out at once, before any event (clients wait on them).
  ex->StartStream(200, EventHeaders(ctx, session->watcher->start_index(),
                                    ctx.server.commit_index(), ctx.server.term()));
  dispatcher.Start(session);
}

// A request that passed the auth check: a local read, a watch, or a proposal.
void Serve(Context& ctx, KeysRequest kr, const std::shared_ptr<http::Exchange>& ex) {
  const AnswerShape shape{kr.head, kr.no_value_on_success};
  const etcdserver::Request& r = kr.req;
  if (r.method == "GET" && !r.quorum) {
    if (r.wait) return Watch(ctx, kr, ex);
    auto ev = ctx.store.Get(r.path, r.recursive, r.sorted);
    etcdserver::ApplyResult result;
    if (ev.ok()) result.event = std::move(ev.value());
    else result.error = ev.error();
    return ex->Reply(Answer(ctx, shape, result, ctx.server.commit_index(), ctx.server.term()));
  }
  Context* c = &ctx;
  ctx.server.Propose(std::move(kr.req), [c, shape, ex](etcdserver::Response resp) {
    // This runs on the Raft loop: the answer is built on the I/O thread.
    ex->ReplyWith([c, shape, resp = std::move(resp)] {
      return Answer(*c, shape, resp.result, resp.raft_index, resp.raft_term);
    });
  });
}

}  // namespace

void HandleKeys(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                const std::string& key) {
  const std::string& m = req.method;
  if (m != "HEAD" && m != "GET" && m != "PUT" && m != "POST" && m != "DELETE") {
    http::Response r = MethodNotAllowed(kKeysAllow);
    AddCors(&r.headers);
    ex->Reply(std::move(r));
    return;
  }
  auto parsed = ParseKeysRequest(req, key, common::UnixNowNs());
  if (!parsed.ok()) {
    http::Response r = KeysError(parsed.error(), ctx.server.cluster_id());
    if (m == "HEAD") r.body.clear();
    AddCors(&r.headers);
    ex->Reply(std::move(r));
    return;
  }
  // etcd's v2 auth check reads /2/enabled from the store for every parsed
  // keys request; with auth off that read fails, and /v2/stats/store counts
  // it in getsFail.
  ctx.store.Get(auth::kEnabledPath, false, false);
  if (!ctx.auth.Current()->enabled()) return Serve(ctx, std::move(parsed.value()), ex);
  auto kr = std::make_shared<KeysRequest>(std::move(parsed.value()));
  Context* c = &ctx;
  CheckKeyAccess(ctx, req, key, kr->req.recursive, [c, kr, ex](Gate gate) {
    if (gate == Gate::kAllowed) return Serve(*c, std::move(*kr), ex);
    // etcd's writeKeyNoAuth: error 110 at index 0.
    http::Response r = KeysError(store::V2Error{store::kEcodeUnauthorized, "Insufficient credentials", 0},
                                 c->server.cluster_id());
    if (kr->head) r.body.clear();
    AddCors(&r.headers);
    Refuse(*c, gate, std::move(r), ex);
  });
}

}  // namespace api
