#include "server/transport/remote_cluster.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "common/member_id.h"

namespace transport {
namespace {

// A member list is a few hundred bytes a member: a longer answer is not one.
constexpr size_t kMaxMembersAnswer = 4 << 20;

std::vector<std::string> Strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const auto& v : j[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

}  // namespace

common::Result<RemoteCluster> ParseRemoteCluster(const std::string& cluster_header, const std::string& body) {
  auto id = common::ParseId(cluster_header);
  if (!id.ok() || *id == 0) return common::Status::InvalidArgument("bad X-Etcd-Cluster-Id \"" + cluster_header + "\"");
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_array()) return common::Status::InvalidArgument("members answer is not a JSON array");
  RemoteCluster rc;
  rc.cluster_id = *id;
  for (const auto& m : j) {
    if (!m.is_object() || !m.contains("id") || !m["id"].is_number_unsigned()) continue;
    RemoteMember rm;
    rm.id = m["id"].get<uint64_t>();
    if (m.contains("name") && m["name"].is_string()) rm.name = m["name"].get<std::string>();
    rm.peer_urls = Strings(m, "peerURLs");
    rm.client_urls = Strings(m, "clientURLs");
    rc.members.push_back(std::move(rm));
  }
  if (rc.members.empty()) return common::Status::InvalidArgument("members answer lists no member");
  return rc;
}

common::Result<RemoteCluster> FetchRemoteCluster(const std::vector<std::string>& peer_urls,
                                                 std::chrono::milliseconds timeout) {
  std::string errors;
  for (const std::string& url : peer_urls) {
    httplib::Client client(url);
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
    auto usecs = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count() % 1000000;
    client.set_connection_timeout(secs, usecs);
    client.set_read_timeout(secs, usecs);
    std::string body;
    bool too_large = false;
    auto res = client.Get("/members", [&](const char* data, size_t len) {
      too_large = body.size() + len > kMaxMembersAnswer;
      if (!too_large) body.append(data, len);
      return !too_large;
    });
    std::string why;
    if (too_large) {
      why = "members answer larger than " + std::to_string(kMaxMembersAnswer) + " bytes";
    } else if (!res) {
      why = httplib::to_string(res.error());
    } else if (res->status != 200) {
      why = "status " + std::to_string(res->status);
    } else {
      auto rc = ParseRemoteCluster(res->get_header_value("X-Etcd-Cluster-Id"), body);
      if (rc.ok()) return rc;
      why = rc.status().message();
    }
    errors += (errors.empty() ? "" : "; ") + url + ": " + why;
  }
  return common::Status::Unavailable("could not retrieve cluster information from the given URLs (" +
                                     errors + ")");
}

}  // namespace transport
