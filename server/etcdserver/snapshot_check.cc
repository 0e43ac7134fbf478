#include "server/etcdserver/snapshot_check.h"

#include <algorithm>
#include <string>

#include "common/member_id.h"
#include "server/etcdserver/membership.h"
#include "server/raft/validate.h"
#include "server/store/store.h"

namespace etcdserver {

using common::Status;

Status CheckSnapshot(const raft::Snapshot& snap) {
  store::Store scratch;
  Status s = scratch.Recover(snap.data);
  if (!s.ok()) return Status::InvalidArgument("snapshot data: " + s.message());
  // The store index is no bound on the raft index or the other way round: one
  // SYNC entry that expires N keys moves the store index by N.
  std::vector<Member> members = ReadMembers(scratch);
  if (members.size() > raft::kMaxVoters) {
    return Status::InvalidArgument("snapshot lists " + std::to_string(members.size()) + " members");
  }
  // Raft's voters and the store's members change together, at apply.
  for (raft::NodeId id : snap.metadata.conf_state.voters) {
    auto known = std::find_if(members.begin(), members.end(), [id](const Member& m) { return m.id == id; });
    if (known == members.end()) {
      return Status::InvalidArgument("snapshot voter " + common::FormatId(id) + " is not a member in its data");
    }
  }
  return Status::OK();
}

}  // namespace etcdserver
