#include "server/etcdserver/milestones.h"

#include "common/log.h"
#include "common/member_id.h"
#include "common/version.h"

namespace etcdserver::milestones {
namespace {

using common::FormatId;

// Go's fmt of a []string: [a b].
std::string GoList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + v[i];
  return out + "]";
}

}  // namespace

std::string ShortVersion(const std::string& version) {
  auto first = version.find('.');
  auto second = first == std::string::npos ? first : version.find('.', first + 1);
  return version.substr(0, second);
}

void StartingMember(uint64_t member, uint64_t cluster) {
  KV_LOG(kInfo, "etcdserver") << "starting member " << FormatId(member) << " in cluster " << FormatId(cluster);
}

void RestartingMember(uint64_t member, uint64_t cluster, uint64_t commit) {
  KV_LOG(kInfo, "etcdserver") << "restarting member " << FormatId(member) << " in cluster " << FormatId(cluster)
                              << " at commit index " << commit;
}

void StartingServer(const std::string& cluster_version) {
  KV_LOG(kInfo, "etcdserver") << "starting server... [version: " << common::kServerVersion << ", cluster version: "
                              << (cluster_version.empty() ? "to_be_decided" : ShortVersion(cluster_version)) << "]";
}

void MemberAdded(uint64_t member, const std::vector<std::string>& peer_urls, uint64_t cluster) {
  KV_LOG(kInfo, "etcdserver/membership") << "added member " << FormatId(member) << " " << GoList(peer_urls)
                                         << " to cluster " << FormatId(cluster);
}

void MemberUpdated(uint64_t member, const std::vector<std::string>& peer_urls, uint64_t cluster) {
  KV_LOG(kInfo, "etcdserver/membership") << "updated member " << FormatId(member) << " " << GoList(peer_urls)
                                         << " in cluster " << FormatId(cluster);
}

void MemberRemoved(uint64_t member, uint64_t cluster) {
  KV_LOG(kInfo, "etcdserver/membership") << "removed member " << FormatId(member) << " from cluster "
                                         << FormatId(cluster);
}

void Published(const std::string& name, const std::vector<std::string>& client_urls, uint64_t cluster) {
  KV_LOG(kInfo, "etcdserver") << "published {Name:" << name << " ClientURLs:" << GoList(client_urls)
                              << "} to cluster " << FormatId(cluster);
}

void SettingClusterVersion(const std::string& current, const std::string& version) {
  if (current.empty()) {
    KV_LOG(kInfo, "etcdserver") << "setting up the initial cluster version to " << ShortVersion(version);
  } else {
    KV_LOG(kInfo, "etcdserver") << "updating the cluster version from " << ShortVersion(current) << " to "
                                << ShortVersion(version);
  }
}

void ClusterVersionSet(const std::string& previous, const std::string& version, bool from_store) {
  if (from_store) {
    KV_LOG(kInfo, "etcdserver/membership") << "set the cluster version to " << ShortVersion(version)
                                           << " from store";
  } else if (previous.empty()) {
    KV_LOG(kInfo, "etcdserver/membership") << "set the initial cluster version to " << ShortVersion(version);
  } else {
    KV_LOG(kInfo, "etcdserver/membership") << "updated the cluster version from " << ShortVersion(previous)
                                           << " to " << ShortVersion(version);
  }
  KV_LOG(kInfo, "etcdserver/api") << "enabled capabilities for version " << ShortVersion(version);
}

void LeaderChanged(uint64_t self, uint64_t previous, uint64_t lead, uint64_t term) {
  if (lead == self) KV_LOG(kInfo, "raft") << FormatId(self) << " became leader at term " << term;
  if (previous != 0 && lead != 0) {
    KV_LOG(kInfo, "raft") << "raft.node: " << FormatId(self) << " changed leader from " << FormatId(previous)
                          << " to " << FormatId(lead) << " at term " << term;
  } else if (lead != 0) {
    KV_LOG(kInfo, "raft") << "raft.node: " << FormatId(self) << " elected leader " << FormatId(lead) << " at term "
                          << term;
  } else {
    KV_LOG(kInfo, "raft") << "raft.node: " << FormatId(self) << " lost leader " << FormatId(previous) << " at term "
                          << term;
  }
}

void LeadershipTransfer(uint64_t self, uint64_t target) {
  KV_LOG(kInfo, "etcdserver") << FormatId(self) << " starts leadership transfer from " << FormatId(self) << " to "
                              << FormatId(target);
}

void SingleMemberNoTransfer() {
  KV_LOG(kInfo, "etcdserver") << "skipped leadership transfer for single voting member cluster";
}

void RemovedFromCluster() {
  KV_LOG(kError, "etcdserver") << "the member has been permanently removed from the cluster";
  KV_LOG(kInfo, "etcdserver") << "the data-dir used by this member must be removed.";
}

}  // namespace etcdserver::milestones
