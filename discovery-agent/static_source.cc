// The static-list source: wait until every peer host resolves; see sources.h.
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "common/log.h"
#include "discovery-agent/sources.h"

namespace agent {
namespace {

using common::Result;
using common::Status;

constexpr auto kRetryInterval = std::chrono::milliseconds(500);
constexpr auto kLogInterval = std::chrono::seconds(5);

// getaddrinfo, as the server's HTTP client resolves peers: "" when `host`
// resolves, else the resolver's reason.
std::string ResolveError(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc == 0) {
    ::freeaddrinfo(res);
    return "";
  }
  return gai_strerror(rc);
}

}  // namespace

Result<Bootstrap> WaitForStaticPeers(const Settings& s, Deadline deadline) {
  Result<std::vector<std::string>> hosts = PeerHosts(s.initial_cluster);
  if (!hosts.ok()) return hosts.status();
  std::vector<std::string> pending = *hosts;
  auto next_log = std::chrono::steady_clock::now();
  std::string reasons;
  while (true) {
    std::vector<std::string> still;
    std::ostringstream why;
    for (const std::string& h : pending) {
      std::string err = ResolveError(h);
      if (err.empty()) continue;
      still.push_back(h);
      why << (still.size() > 1 ? ", " : "") << h << " (" << err << ")";
    }
    pending = std::move(still);
    if (pending.empty()) break;
    reasons = why.str();
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return Status::Timeout("timed out waiting for the peers of --initial-cluster to resolve: " + reasons);
    }
    if (now >= next_log) {
      KV_LOG(kInfo, "agent") << "waiting for peer hosts to resolve: " << reasons;
      next_log = now + kLogInterval;
    }
    std::this_thread::sleep_until(std::min(deadline, now + kRetryInterval));
  }
  KV_LOG(kInfo, "agent") << "all peers of --initial-cluster resolve: " << s.initial_cluster;
  return Bootstrap{s.initial_cluster, s.initial_cluster_state, s.initial_cluster_token, s.proxy};
}

}  // namespace agent
