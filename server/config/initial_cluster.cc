// Initial cluster parsing and etcd's bootstrap checks.
#include "server/config/initial_cluster.h"

#include <algorithm>
#include <set>

namespace config {
namespace {

using common::Result;
using common::Status;
using common::Url;

// Go's %q of a []string: ["a" "b"].
std::string QuoteList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " \"" : "\"") + v[i] + "\"";
  return out + "]";
}

Status CheckHasLocalMember(const Config& cfg, const UrlsMap& peers) {
  if (peers.count(cfg.name) == 0) {
    return Status::InvalidArgument("couldn't find local name \"" + cfg.name +
                                   "\" in the initial cluster configuration");
  }
  return Status::OK();
}

Status CheckNoDuplicateUrl(const UrlsMap& peers) {
  if (HasDuplicateUrl(peers)) {
    return Status::InvalidArgument("initial cluster " + UrlsMapString(peers) + " has duplicate url");
  }
  return Status::OK();
}

// The own advertised peer URLs must be exactly the map's URLs for our name.
Status CheckAdvertiseMatchesCluster(const Config& cfg, const UrlsMap& peers) {
  std::vector<std::string> ap = common::SortedUrlStrings(cfg.initial_advertise_peer_urls);
  std::vector<std::string> in_map = common::SortedUrlStrings(peers.at(cfg.name));
  if (ap == in_map) return Status::OK();
  std::string why;
  if (ap.size() != in_map.size()) {
    why = "len(" + QuoteList(ap) + ") != len(" + QuoteList(in_map) + ")";
  } else {
    size_t i = 0;
    while (ap[i] == in_map[i]) ++i;
    why = "resolved urls: \"" + ap[i] + "\" != \"" + in_map[i] + "\"";
  }
  std::string joined_ap;
  for (const std::string& u : ap) joined_ap += (joined_ap.empty() ? "" : ",") + u;

  std::string missing_from_ap;
  for (const std::string& u : in_map) {
    if (std::find(ap.begin(), ap.end(), u) != ap.end()) continue;
    missing_from_ap += (missing_from_ap.empty() ? "" : ",") + cfg.name + "=" + u;
  }
  if (!missing_from_ap.empty()) {
    return Status::InvalidArgument("--initial-cluster has " + missing_from_ap +
                                   " but missing from --initial-advertise-peer-urls=" + joined_ap +
                                   " (" + why + ")");
  }
  // etcd prints the map built from the advertised URLs here, not the configured one.
  const std::string own_map = UrlsMapString({{cfg.name, cfg.initial_advertise_peer_urls}});
  std::string missing_from_map;
  for (const std::string& u : ap) {
    if (std::find(in_map.begin(), in_map.end(), u) != in_map.end()) continue;
    missing_from_map += (missing_from_map.empty() ? "" : ",") + u;
  }
  return Status::InvalidArgument("--initial-advertise-peer-urls has " + missing_from_map +
                                 " but missing from --initial-cluster=" + own_map);
}

}  // namespace

Result<UrlsMap> ParseUrlsMap(const std::string& s) {
  std::map<std::string, std::vector<std::string>> raw;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string item = s.substr(start, comma - start);
    start = comma == std::string::npos ? s.size() + 1 : comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string name = item.substr(0, eq);
    raw[name].push_back(eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  UrlsMap out;
  for (const auto& [name, urls] : raw) {
    Result<std::vector<Url>> parsed = common::ParseUrlList(urls);
    if (!parsed.ok()) return parsed.status();
    out[name] = std::move(parsed).value();
  }
  return out;
}

std::string UrlsMapString(const UrlsMap& m) {
  std::vector<std::string> pairs;
  for (const auto& [name, urls] : m) {
    for (const Url& u : urls) pairs.push_back(name + "=" + u.String());
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const std::string& p : pairs) out += (out.empty() ? "" : ",") + p;
  return out;
}

bool HasDuplicateUrl(const UrlsMap& m) {
  std::set<std::string> seen;
  for (const auto& [name, urls] : m) {
    for (const Url& u : urls) {
      if (!seen.insert(u.String()).second) return true;
    }
  }
  return false;
}

Result<BootstrapPeers> PeerUrlsMapAndToken(const Config& cfg) {
  if (!cfg.discovery.empty()) {
    return BootstrapPeers{{{cfg.name, cfg.initial_advertise_peer_urls}}, cfg.discovery};
  }
  Result<UrlsMap> peers = ParseUrlsMap(cfg.initial_cluster);
  if (!peers.ok()) {
    return Status::InvalidArgument("error setting up initial cluster: " + peers.status().message());
  }
  return BootstrapPeers{std::move(peers).value(), cfg.initial_cluster_token};
}

Status VerifyBootstrap(const Config& cfg, const UrlsMap& peers) {
  Status s = CheckHasLocalMember(cfg, peers);
  if (!s.ok()) return s;
  s = CheckAdvertiseMatchesCluster(cfg, peers);
  if (!s.ok()) return s;
  s = CheckNoDuplicateUrl(peers);
  if (!s.ok()) return s;
  if (UrlsMapString(peers).empty() && cfg.discovery.empty()) {
    return Status::InvalidArgument("initial cluster unset and no discovery URL found");
  }
  return Status::OK();
}

Status VerifyJoinExisting(const Config& cfg, const UrlsMap& peers) {
  Status s = CheckHasLocalMember(cfg, peers);
  if (!s.ok()) return s;
  s = CheckNoDuplicateUrl(peers);
  if (!s.ok()) return s;
  if (!cfg.discovery.empty()) {
    return Status::InvalidArgument("discovery URL should not be set when joining existing initial cluster");
  }
  return Status::OK();
}

}  // namespace config
