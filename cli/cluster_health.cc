// cluster-health: lists the members without syncing, then asks each member's
// client URLs for /health until one answers, as etcdctl v2 does.
#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/member_commands.h"
#include "cli/session.h"

namespace cli {

namespace {

constexpr std::chrono::seconds kForeverInterval{10};

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// {"health":"true"} (etcd 3.4) or {"health":true} (older) is healthy.
bool HealthyBody(const std::string& body, bool* parsed) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  *parsed = !j.is_discarded() && j.is_object();
  if (!*parsed) return false;
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = it.key();
    for (char& c : key) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    if (key != "health") continue;
    return (it->is_string() && it->get<std::string>() == "true") || (it->is_boolean() && it->get<bool>());
  }
  return false;
}

// One round over the members; returns whether every member is healthy
// ("degraded" when only some are, "unhealthy" when none is).
bool CheckOnce(const std::vector<Member>& members, const common::HttpOptions& http, std::string* out) {
  size_t healthy = 0;
  for (const Member& m : members) {
    if (m.client_urls.empty()) {
      *out += "member " + m.id + " is unreachable: no available published client urls\n";
      continue;
    }
    bool checked = false;
    for (const std::string& url : m.client_urls) {
      auto r = common::HttpDo("GET", url + "/health", "", "", http);
      if (!r.ok()) {
        *out += "failed to check the health of member " + m.id + " on " + url + ": Get \"" + url +
                "/health\": " + TransportErrorText(url, r.status()) + "\n";
        continue;
      }
      bool parsed = false;
      bool ok = HealthyBody(r->body, &parsed);
      if (!parsed) {
        *out += "failed to check the health of member " + m.id + " on " + url + ": invalid character in response\n";
        continue;
      }
      checked = true;
      healthy += ok ? 1 : 0;
      *out += "member " + m.id + (ok ? " is healthy: got healthy result from " : " is unhealthy: got unhealthy result from ") +
              url + "\n";
      break;
    }
    if (!checked) *out += "member " + m.id + " is unreachable: [" + Join(m.client_urls, " ") + "] are all unreachable\n";
  }
  bool all = healthy == members.size();
  *out += all ? "cluster is healthy\n" : healthy > 0 ? "cluster is degraded\n" : "cluster is unhealthy\n";
  return all;
}

}  // namespace

int ClusterHealthAction(CommandContext& ctx) {
  GlobalOptions global = ctx.global;
  global.total_timeout = std::chrono::nanoseconds(0);  // etcdctl lists members without a deadline
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(global, false, &code);
  if (!client) return code;
  CtlResult<common::HttpResponse> r = client->Do({"GET", "/v2/members"});
  CtlError error;
  std::vector<Member> members;
  if (!r.ok()) {
    error = r.error;
  } else if (r.value->status != 200) {
    error.message = "unexpected status code " + std::to_string(r.value->status);
  } else if (auto list = ParseMemberList(r.value->body); list.ok()) {
    members = *list;
  } else {
    error.message = list.status().message();
  }
  if (!error.Text().empty()) {
    Out("cluster may be unhealthy: failed to list members\n");
    return HandleError(kExitServerError, error);
  }
  common::HttpOptions http;
  // Go's dialer there gives up after min(30s, --total-timeout); the answer itself is not bounded.
  auto dial = std::min<std::chrono::nanoseconds>(std::chrono::seconds(30), ctx.global.total_timeout);
  http.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(dial);
  http.timeout = std::chrono::seconds(30);
  http.ca_file = client->options().ca_file;
  http.cert_file = client->options().cert_file;
  http.key_file = client->options().key_file;
  bool forever = ctx.flags.Bool("forever");
  while (true) {
    std::string out;
    bool healthy = CheckOnce(members, http, &out);
    Out(out);
    if (!forever) return healthy ? kExitSuccess : kExitClusterNotHealthy;
    Out("\nnext check after 10 second...\n\n");
    std::this_thread::sleep_for(kForeverInterval);
  }
}

}  // namespace cli
