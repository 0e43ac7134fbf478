// Cluster members as kept in the replicated store under /0 (etcd's layout):
//   /0/members/<hexid>/raftAttributes  {"peerURLs":[...]}
//   /0/members/<hexid>/attributes      {"name":"...","clientURLs":[...]}
//   /0/removed_members/<hexid>
// Plain values and pure functions; the store does the locking.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/store/store.h"

namespace etcdserver {

struct Member {
  uint64_t id = 0;
  std::string name;                      // "" until the member has published itself
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
};

std::string MemberPath(uint64_t id);            // /0/members/<hex>
std::string RaftAttributesPath(uint64_t id);    // .../raftAttributes
std::string AttributesPath(uint64_t id);        // .../attributes
std::string RemovedMemberPath(uint64_t id);     // /0/removed_members/<hex>
inline constexpr const char* kVersionPath = "/0/version";

std::string RaftAttributesJson(const std::vector<std::string>& peer_urls);
std::string AttributesJson(const std::string& name, const std::vector<std::string>& client_urls);

// All members in the store, sorted by id.
std::vector<Member> ReadMembers(store::Store& st);

// {"id":"<hex>","name":...,"peerURLs":[...],"clientURLs":[...]} as /v2/members prints one.
std::string MemberJson(const Member& m);

}  // namespace etcdserver
