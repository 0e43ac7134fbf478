// The discovery service's answers as etcd 3.4's v2 discovery client reads
// them; see discovery_answer.h.
#include "common/discovery_answer.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "common/discovery.h"
#include "common/url.h"

namespace common {
namespace {

constexpr char kInvalidUrl[] = "discovery: invalid URL";

DiscoveryNode ParseNode(const nlohmann::json& j) {
  DiscoveryNode n;
  if (!j.is_object()) return n;
  if (j.contains("key") && j["key"].is_string()) n.key = j["key"].get<std::string>();
  if (j.contains("value") && j["value"].is_string()) n.value = j["value"].get<std::string>();
  if (j.contains("createdIndex") && j["createdIndex"].is_number_unsigned()) {
    n.created_index = j["createdIndex"].get<uint64_t>();
  }
  if (j.contains("modifiedIndex") && j["modifiedIndex"].is_number_unsigned()) {
    n.modified_index = j["modifiedIndex"].get<uint64_t>();
  }
  return n;
}

// "name=url,name=url" (the members' values joined) as etcd's URLs map: the
// number of distinct names, or an error when a URL does not parse.
Result<size_t> CountClusterNames(const std::string& joined) {
  std::map<std::string, std::vector<std::string>> urls;
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = std::min(joined.find(',', start), joined.size());
    std::string item = joined.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    urls[item.substr(0, eq)].push_back(eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  for (const auto& [name, list] : urls) {
    Result<std::vector<Url>> parsed = ParseUrlList(list);
    if (!parsed.ok()) return parsed.status();
  }
  return urls.size();
}

}  // namespace

Result<DiscoveryAnswer> ParseDiscoveryAnswer(const HttpResponse& r, const std::string& what) {
  if (r.status / 100 == 5) return Status::Unavailable(what + ": server error " + std::to_string(r.status));
  DiscoveryAnswer a;
  if (r.status != 200 && r.status != 201) {
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("errorCode") || !j["errorCode"].is_number_integer()) {
      return Status::InvalidArgument(kDiscoveryInvalidJson);
    }
    a.error_code = j["errorCode"].get<int>();
    // Go's json.Unmarshal into etcd's client.Error: a message or cause that
    // is not a string, or an index that is not a uint64, fails it (and is
    // never printed back: dumping a deeply nested value overflowed the stack).
    // (References, not copies: copying a nested value recurses as deep.)
    static const nlohmann::json kAbsent;
    auto field = [&](const char* k) -> const nlohmann::json& {
      auto it = j.find(k);
      return it == j.end() ? kAbsent : *it;
    };
    const nlohmann::json& message = field("message");
    const nlohmann::json& cause = field("cause");
    const nlohmann::json& index = field("index");
    if ((!message.is_null() && !message.is_string()) || (!cause.is_null() && !cause.is_string()) ||
        (!index.is_null() && !index.is_number_unsigned())) {
      return Status::InvalidArgument(kDiscoveryInvalidJson);
    }
    auto text = [](const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : std::string(); };
    a.error = std::to_string(a.error_code) + ": " + text(message) + " (" + text(cause) + ") [" +
              std::to_string(index.is_null() ? 0 : index.get<uint64_t>()) + "]";
    return a;
  }
  if (r.body.empty()) {
    a.empty = true;
    return a;
  }
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("node")) return Status::InvalidArgument(kDiscoveryInvalidJson);
  if (!ParseDiscoveryDecimal(r.Header("X-Etcd-Index"), &a.index)) {
    return Status::InvalidArgument(what + ": bad X-Etcd-Index \"" + r.Header("X-Etcd-Index") + "\"");
  }
  a.node = ParseNode(j["node"]);
  if (j["node"].is_object() && j["node"].contains("nodes") && j["node"]["nodes"].is_array()) {
    for (const auto& child : j["node"]["nodes"]) a.children.push_back(ParseNode(child));
  }
  return a;
}

bool ParseDiscoveryDecimal(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

std::string DiscoveryBaseName(const std::string& key) { return key.substr(key.rfind('/') + 1); }

DiscoveryCluster ReadDiscoveryCluster(DiscoveryAnswer listing, uint64_t size, const std::string& self) {
  DiscoveryCluster c;
  c.size = size;
  c.index = listing.index;
  for (DiscoveryNode& n : listing.children) {
    if (DiscoveryBaseName(n.key) != "_config") c.nodes.push_back(std::move(n));
  }
  std::stable_sort(c.nodes.begin(), c.nodes.end(), [](const DiscoveryNode& a, const DiscoveryNode& b) {
    return a.created_index < b.created_index;
  });
  // Full when `size` others come before this member (or it is absent).
  for (size_t i = 0; i < c.nodes.size(); ++i) {
    if (DiscoveryBaseName(c.nodes[i].key) == self) break;
    if (c.size > 0 && i >= c.size - 1) {
      c.nodes.resize(c.size);
      c.full = true;
      break;
    }
  }
  return c;
}

Result<std::string> DiscoveryNodesToCluster(const std::vector<DiscoveryNode>& nodes, uint64_t size) {
  std::string joined;
  for (size_t i = 0; i < nodes.size(); ++i) joined += (i ? "," : "") + nodes[i].value;
  Result<size_t> names = CountClusterNames(joined);
  if (!names.ok()) return Status::InvalidArgument(kInvalidUrl);
  if (*names != size) return Status::InvalidArgument(kDiscoveryDuplicateName);
  return joined;
}

}  // namespace common
