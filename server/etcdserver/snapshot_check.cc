#include "server/etcdserver/snapshot_check.h"

#include <string>

#include "server/store/store.h"

namespace etcdserver {

common::Status CheckSnapshotMessage(const raft::Message& m, uint64_t local_id) {
  auto bad = [](const std::string& why) { return common::Status::InvalidArgument("snapshot: " + why); };
  const raft::SnapshotMetadata& meta = m.snapshot.metadata;
  if (m.type != raft::MessageType::kSnap) return bad("not a snapshot message");
  if (m.to != local_id) return bad("addressed to another member");
  if (meta.index == 0 || meta.term == 0) return bad("no index or term");
  if (meta.term > m.term) return bad("term " + std::to_string(meta.term) + " is past the sender's");
  const auto& voters = meta.conf_state.voters;
  if (voters.empty()) return bad("no voters");
  for (size_t i = 0; i < voters.size(); ++i) {
    if (voters[i] == raft::kNone || (i > 0 && voters[i] <= voters[i - 1])) return bad("malformed voter list");
  }
  store::Store scratch;
  common::Status s = scratch.Recover(m.snapshot.data);
  if (!s.ok()) return bad(s.message());
  return common::Status::OK();
}

}  // namespace etcdserver
