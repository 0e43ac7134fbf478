#include "server/etcdserver/standalone.h"

#include <algorithm>
#include <set>

#include "server/etcdserver/conf_change.h"

namespace etcdserver {

std::vector<raft::ConfChange> StandaloneChanges(const std::vector<uint64_t>& voters,
                                                const std::vector<Member>& members, uint64_t self,
                                                const std::vector<std::string>& peer_urls) {
  std::set<uint64_t> others(voters.begin(), voters.end());
  const Member* mine = nullptr;
  for (const Member& m : members) {
    others.insert(m.id);
    if (m.id == self) mine = &m;
  }
  others.erase(self);
  std::vector<raft::ConfChange> changes;
  for (uint64_t id : others) {
    changes.push_back(raft::ConfChange{raft::ConfChangeType::kRemoveNode, id, ConfChangeContext{}.Encode()});
  }
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  if (!mine) {
    changes.push_back(
        raft::ConfChange{raft::ConfChangeType::kAddNode, self, ConfChangeContext{0, peer_urls}.Encode()});
  } else if (!peer_urls.empty() && sorted(mine->peer_urls) != sorted(peer_urls)) {
    changes.push_back(
        raft::ConfChange{raft::ConfChangeType::kUpdateNode, self, ConfChangeContext{0, peer_urls}.Encode()});
  }
  return changes;
}

std::vector<raft::Entry> ConfChangeEntries(const std::vector<raft::ConfChange>& changes, uint64_t term,
                                           uint64_t first) {
  std::vector<raft::Entry> entries;
  for (const raft::ConfChange& cc : changes) {
    entries.push_back(raft::Entry{term, first + entries.size(), raft::EntryType::kConfChange,
                                  raft::EncodeConfChange(cc)});
  }
  return entries;
}

}  // namespace etcdserver
