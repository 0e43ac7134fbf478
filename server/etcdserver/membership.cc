#include "server/etcdserver/membership.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/json_string.h"
#include "common/member_id.h"

namespace etcdserver {
namespace {

std::vector<std::string> StringList(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

nlohmann::json ParseObject(const std::optional<std::string>& value) {
  if (!value) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(*value, nullptr, false);
  // Moved out, not copied: a copy recurses as deep as the document nests,
  // and a value 200k levels deep overflowed the stack.
  if (!j.is_object()) return nlohmann::json::object();
  return j;
}

}  // namespace

std::string MemberPath(uint64_t id) { return "/0/members/" + common::FormatId(id); }
std::string RaftAttributesPath(uint64_t id) { return MemberPath(id) + "/raftAttributes"; }
std::string AttributesPath(uint64_t id) { return MemberPath(id) + "/attributes"; }
std::string RemovedMemberPath(uint64_t id) { return "/0/removed_members/" + common::FormatId(id); }

// Written with Go's JSON string rules, as etcd does: these strings come from
// log entries, and a byte that is not UTF-8 becomes U+FFFD (nlohmann's dump
// would throw on it, on the apply thread).
std::string RaftAttributesJson(const std::vector<std::string>& peer_urls) {
  return "{\"peerURLs\":" + common::JsonStringArray(peer_urls) + "}";
}

std::string AttributesJson(const std::string& name, const std::vector<std::string>& client_urls) {
  // Field order as etcd writes it: name first.
  return "{\"name\":" + common::JsonString(name) +
         ",\"clientURLs\":" + common::JsonStringArray(client_urls) + "}";
}

std::vector<Member> ReadMembers(store::Store& st) {
  std::vector<Member> out;
  auto ev = st.Peek("/0/members", /*recursive=*/true);
  if (!ev.ok()) return out;
  for (const store::NodeExtern& dir : ev.value().node.nodes) {
    Member m;
    std::string hex = dir.key.substr(dir.key.rfind('/') + 1);
    m.id = std::strtoull(hex.c_str(), nullptr, 16);
    for (const store::NodeExtern& attr : dir.nodes) {
      std::string leaf = attr.key.substr(attr.key.rfind('/') + 1);
      nlohmann::json j = ParseObject(attr.value);
      if (leaf == "raftAttributes") {
        m.peer_urls = StringList(j, "peerURLs");
      } else if (leaf == "attributes") {
        if (j.contains("name") && j["name"].is_string()) m.name = j["name"].get<std::string>();
        m.client_urls = StringList(j, "clientURLs");
      }
    }
    if (m.id != 0) out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const Member& a, const Member& b) { return a.id < b.id; });
  return out;
}

std::string MemberJson(const Member& m) {
  return "{\"id\":\"" + common::FormatId(m.id) + "\",\"name\":" + common::JsonString(m.name) +
         ",\"peerURLs\":" + common::JsonStringArray(m.peer_urls) +
         ",\"clientURLs\":" + common::JsonStringArray(m.client_urls) + "}";
}

}  // namespace etcdserver
