// The milestone lines etcd 3.4 logs, in its words, which scripts, operators
// and test frameworks wait for ("published ... to cluster", "elected
// leader", "added member", "enabled capabilities for version"). The server
// logs them at the moments etcd does, beside its own lines; the component is
// etcd's package name, so `grep "etcdserver: published"` finds both.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace etcdserver::milestones {

// "3.4.0" -> "3.4", as etcd writes a cluster version in its logs.
std::string ShortVersion(const std::string& version);

void StartingMember(uint64_t member, uint64_t cluster);
void RestartingMember(uint64_t member, uint64_t cluster, uint64_t commit);
// cluster_version "" when not known yet ("to_be_decided").
void StartingServer(const std::string& cluster_version);
void MemberAdded(uint64_t member, const std::vector<std::string>& peer_urls, uint64_t cluster);
void MemberUpdated(uint64_t member, const std::vector<std::string>& peer_urls, uint64_t cluster);
void MemberRemoved(uint64_t member, uint64_t cluster);
void Published(const std::string& name, const std::vector<std::string>& client_urls, uint64_t cluster);
// A leader proposing the cluster version; `current` "" when there is none.
void SettingClusterVersion(const std::string& current, const std::string& version);
// The cluster version applied (or read back from a snapshot of the store).
void ClusterVersionSet(const std::string& previous, const std::string& version, bool from_store);
void LeaderChanged(uint64_t self, uint64_t previous, uint64_t lead, uint64_t term);
void LeadershipTransfer(uint64_t self, uint64_t target);
void SingleMemberNoTransfer();
void RemovedFromCluster();

}  // namespace etcdserver::milestones
