// The agent's decisions; see plan.h.
#include "discovery-agent/plan.h"

#include <algorithm>
#include <set>

#include "common/go_flag.h"
#include "common/strings.h"
#include "common/url.h"

namespace agent {
namespace {

using common::Result;
using common::Status;

// Everything a bootstrap replaces: the sources, and the flags computed from them.
const std::set<std::string>& ReplacedFlags() {
  static const std::set<std::string> kFlags = {
      "discovery", "discovery-srv", "discovery-srv-name", "discovery-fallback", "discovery-proxy",
      "initial-cluster", "initial-cluster-state", "initial-cluster-token", "proxy"};
  return kFlags;
}


}  // namespace

Result<Settings> ReadSettings(const Invocation& inv) {
  if (inv.Given("config-file")) {
    return Status::InvalidArgument(
        "--config-file is not supported by the agent: give the server's settings as flags or ETCD_* variables");
  }
  Settings s;
  s.name = inv.ValueOr("name", "default");
  s.data_dir = inv.ValueOr("data-dir", s.name + ".kvraft");
  s.advertise_peer_urls = inv.ValueOr("initial-advertise-peer-urls", "http://localhost:2380");
  s.initial_cluster_state = inv.ValueOr("initial-cluster-state", "new");
  s.initial_cluster_token = inv.ValueOr("initial-cluster-token", "etcd-cluster");
  s.discovery = inv.ValueOr("discovery", "");
  s.discovery_srv = inv.ValueOr("discovery-srv", "");
  s.discovery_srv_name = inv.ValueOr("discovery-srv-name", "");
  s.discovery_fallback = inv.ValueOr("discovery-fallback", "proxy");
  s.discovery_proxy = inv.ValueOr("discovery-proxy", "");
  s.proxy = inv.ValueOr("proxy", "off");
  if (s.initial_cluster_state != "new" && s.initial_cluster_state != "existing") {
    return Status::InvalidArgument("invalid value \"" + s.initial_cluster_state +
                                   "\" for flag -initial-cluster-state: invalid value");
  }
  if (s.discovery_fallback != "proxy" && s.discovery_fallback != "exit") {
    return Status::InvalidArgument("invalid value \"" + s.discovery_fallback +
                                   "\" for flag -discovery-fallback: invalid value");
  }
  std::optional<std::string> cluster = inv.Value("initial-cluster");
  int sources = !s.discovery.empty() + !s.discovery_srv.empty() + cluster.has_value();
  if (sources > 1) {
    return Status::InvalidArgument(
        "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", "
        "\"discovery\" or \"discovery-srv\"");
  }
  if (!s.discovery.empty()) {
    s.source = Source::kToken;
  } else if (!s.discovery_srv.empty()) {
    s.source = Source::kSrv;
  } else if (cluster) {
    s.initial_cluster = *cluster;
  } else {
    // etcd's default: this member alone, under each of its advertised URLs.
    for (const std::string& url : common::SplitCommas(s.advertise_peer_urls)) {
      s.initial_cluster += (s.initial_cluster.empty() ? "" : ",") + s.name + "=" + url;
    }
  }
  return s;
}

Result<std::vector<std::string>> PeerHosts(const std::string& initial_cluster) {
  std::vector<std::string> hosts;
  for (const std::string& member : common::SplitCommas(initial_cluster)) {
    size_t eq = member.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("--initial-cluster: \"" + member + "\" is not name=URL");
    }
    Result<common::Url> url = common::ParseUrl(member.substr(eq + 1));
    if (!url.ok()) return Status::InvalidArgument("--initial-cluster: " + url.status().message());
    if (url->scheme == "unix" || url->scheme == "unixs" || url->host.empty()) continue;
    if (std::find(hosts.begin(), hosts.end(), url->host) == hosts.end()) hosts.push_back(url->host);
  }
  return hosts;
}

std::vector<std::string> ServerArgs(const Invocation& inv, const Bootstrap& b) {
  // The computed flags go first: flags end at the first non-flag argument.
  std::vector<std::string> out = {"--initial-cluster", b.initial_cluster,
                                  "--initial-cluster-state", b.state,
                                  "--initial-cluster-token", b.token};
  if (b.proxy != "off") {
    out.push_back("--proxy");
    out.push_back(b.proxy);
  }
  std::vector<std::string> given = inv.ServerArgs(ReplacedFlags());
  out.insert(out.end(), given.begin(), given.end());
  return out;
}

Environment ServerEnv(const Invocation& inv) {
  Environment env = inv.env;
  for (const std::string& flag : ReplacedFlags()) env.erase(common::FlagToEnv(flag));
  return env;
}

EnvLines EnvFileLines(const Settings& s, const Bootstrap& b) {
  EnvLines lines = {{"ETCD_NAME", s.name},
                    {"ETCD_INITIAL_CLUSTER", b.initial_cluster},
                    {"ETCD_INITIAL_CLUSTER_STATE", b.state},
                    {"ETCD_INITIAL_CLUSTER_TOKEN", b.token}};
  if (b.proxy != "off") lines.push_back({"ETCD_PROXY", b.proxy});
  return lines;
}

}  // namespace agent
