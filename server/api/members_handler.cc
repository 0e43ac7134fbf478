#include "server/api/members_handler.h"

#include <nlohmann/json.hpp>

#include "common/json_string.h"
#include "common/member_id.h"
#include "common/time_format.h"
#include "common/url.h"
#include "server/api/auth_gate.h"
#include "server/api/go_json.h"
#include "server/api/responses.h"
#include "server/etcdserver/reconfig_check.h"

namespace api {
namespace {

constexpr const char* kMembersAllow = "GET,POST,DELETE,PUT";

void Send(Context& ctx, const std::shared_ptr<http::Exchange>& ex, http::Response r) {
  r.headers.emplace_back("X-Etcd-Cluster-Id", common::FormatId(ctx.server.cluster_id()));
  AddCors(&r.headers);
  ex->Reply(std::move(r));
}

// Go's JSON strings: a message may quote request bytes that are not UTF-8
// (a Content-Type), which nlohmann's dump would throw on.
http::Response Message(int status, const std::string& message) {
  return Json(status, "{\"message\":" + common::JsonString(message) + "}\n");
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

// etcd's Content-Type check: with parameters, the media type is compared
// case-insensitively; without, the header must be exactly application/json.
bool JsonContentType(const std::string& ct) {
  auto semi = ct.find(';');
  if (semi == std::string::npos) return ct == "application/json";
  std::string media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.pop_back();
  while (!media.empty() && media.front() == ' ') media.erase(media.begin());
  for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media == "application/json";
}

// The peer URLs of a member create/update body, or the answer to send.
std::optional<std::vector<std::string>> PeerUrls(const http::Request& req, http::Response* error) {
  std::string ct = req.Header("Content-Type");
  if (!JsonContentType(ct)) {
    *error = Message(415, "Bad Content-Type " + ct + ", accept application/json");
    return std::nullopt;
  }
  if (auto syntax = GoJsonSyntaxError(req.body)) {
    *error = Message(400, *syntax);
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(req.body, nullptr, false);
  std::vector<std::string> raw;
  if (j.is_object() && j.contains("peerURLs") && j["peerURLs"].is_array()) {
    for (const auto& u : j["peerURLs"]) {
      if (!u.is_string()) {
        *error = Message(400, "json: cannot unmarshal " + std::string(u.type_name()) +
                                  " into Go value of type string");
        return std::nullopt;
      }
      raw.push_back(u.get<std::string>());
    }
  }
  auto urls = common::ParseUrlList(raw);
  if (!urls.ok()) {
    *error = Message(400, urls.status().message());
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& u : *urls) out.push_back(u.String());
  return out;
}

std::optional<etcdserver::Member> Find(Context& ctx, uint64_t id) {
  for (auto& m : etcdserver::ReadMembers(ctx.store)) {
    if (m.id == id) return m;
  }
  return std::nullopt;
}

// The answer to a failed membership change, as etcd maps its errors.
http::Response ChangeError(const common::Status& s, uint64_t id) {
  if (s.code() == common::Code::kAlreadyExists) return Message(409, s.message());
  if (s.code() == common::Code::kNotFound) return Message(404, "No such member: " + common::FormatId(id));
  if (s.message() == "membership: ID removed") {
    return Message(410, "Member permanently removed: " + common::FormatId(id));
  }
  return Message(500, "Internal Server Error");
}

// How long each peer has been reachable, as the transport sees it.
etcdserver::ActiveSinceFn PeerActivity(Context& ctx) {
  return [&ctx](uint64_t peer) { return ctx.server.transport().ActiveSince(peer); };
}

void Add(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  http::Response error;
  auto urls = PeerUrls(req, &error);
  if (!urls) return Send(ctx, ex, std::move(error));
  if (ctx.server.config().strict_reconfig_check &&
      !etcdserver::ReadyToAddMember(etcdserver::ReadMembers(ctx.store), ctx.server.member_id(), PeerActivity(ctx),
                                    std::chrono::steady_clock::now())) {
    return Send(ctx, ex, Message(500, "Internal Server Error"));
  }
  std::vector<common::Url> parsed;
  for (const auto& u : *urls) parsed.push_back(*common::ParseUrl(u));
  uint64_t id = common::MemberId(parsed, "", common::UnixNowNs() / 1000000000);
  Context* c = &ctx;
  ctx.server.ProposeConfChange(raft::ConfChangeType::kAddNode, id, *urls,
                               [c, ex, id, urls = *urls](common::Status s) {
    if (!s.ok()) return Send(*c, ex, ChangeError(s, id));
    etcdserver::Member m{id, "", urls, {}};
    Send(*c, ex, Json(201, etcdserver::MemberJson(m) + "\n"));
  });
}

void Remove(Context& ctx, uint64_t id, const std::shared_ptr<http::Exchange>& ex) {
  if (ctx.server.config().strict_reconfig_check &&
      !etcdserver::ReadyToRemoveMember(etcdserver::ReadMembers(ctx.store), ctx.server.member_id(), id,
                                       PeerActivity(ctx), std::chrono::steady_clock::now())) {
    return Send(ctx, ex, Message(500, "Internal Server Error"));
  }
  Context* c = &ctx;
  ctx.server.ProposeConfChange(raft::ConfChangeType::kRemoveNode, id, {}, [c, ex, id](common::Status s) {
    if (!s.ok()) return Send(*c, ex, ChangeError(s, id));
    http::Response r;
    r.status = 204;
    Send(*c, ex, std::move(r));
  });
}

void Update(Context& ctx, const http::Request& req, uint64_t id, const std::shared_ptr<http::Exchange>& ex) {
  http::Response error;
  auto urls = PeerUrls(req, &error);
  if (!urls) return Send(ctx, ex, std::move(error));
  Context* c = &ctx;
  ctx.server.ProposeConfChange(raft::ConfChangeType::kUpdateNode, id, *urls, [c, ex, id](common::Status s) {
    if (!s.ok()) return Send(*c, ex, ChangeError(s, id));
    http::Response r;
    r.status = 204;
    Send(*c, ex, std::move(r));
  });
}

// A request allowed by the method and auth checks.
void Serve(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
           const std::string& rest) {
  const std::string& m = req.method;
  bool collection = rest.empty() || rest == "/";
  // etcd's member handler itself refuses these, without an Allow header.
  if ((m == "DELETE" || m == "PUT") && collection) return Send(ctx, ex, TextError(405, "Method Not Allowed"));
  if (m == "GET") {
    if (collection) return List(ctx, ex);
    if (rest == "/leader") return Leader(ctx, ex);
    return Send(ctx, ex, Message(404, "Not found"));
  }
  if (m == "POST") return Add(ctx, req, ex);  // etcd ignores the path's id here
  std::string hex = rest.substr(1);
  auto id = common::ParseId(hex);
  if (!id.ok() || *id == 0) return Send(ctx, ex, Message(404, "No such member: " + hex));
  if (ctx.store.Peek(etcdserver::RemovedMemberPath(*id), false).ok()) {
    return Send(ctx, ex, Message(410, "Member permanently removed: " + common::FormatId(*id)));
  }
  if (!Find(ctx, *id)) return Send(ctx, ex, Message(404, "No such member: " + common::FormatId(*id)));
  if (m == "DELETE") return Remove(ctx, *id, ex);
  Update(ctx, req, *id, ex);
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
  if (m == "GET") return Serve(ctx, req, ex, rest);
  // Every change request first reads the v2 auth switch (a failing get
  // while auth is off, as etcd counts it), and needs the root role.
  ctx.store.Get(auth::kEnabledPath, false, false);
  if (!ctx.auth.Current()->enabled()) return Serve(ctx, req, ex, rest);
  auto held = std::make_shared<http::Request>(req);
  Context* c = &ctx;
  CheckRootAccess(ctx, req, [c, held, ex, rest](Gate gate) {
    if (gate == Gate::kAllowed) return Serve(*c, *held, ex, rest);
    Refuse(*c, gate, InsufficientCredentials(), ex);
  });
}

}  // namespace api
