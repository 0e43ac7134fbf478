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
  // Every write takes a raft entry of its own.
  if (scratch.Index() > snap.metadata.index) {
    return Status::InvalidArgument("snapshot store index " + std::to_string(scratch.Index()) +
                                   " is beyond its raft index " + std::to_string(snap.metadata.index));
  }
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
