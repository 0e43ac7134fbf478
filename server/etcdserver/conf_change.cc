#include "server/etcdserver/conf_change.h"

#include <algorithm>

#include "common/bytes.h"
#include "server/etcdserver/membership.h"
#include "server/raft/validate.h"

namespace etcdserver {

using common::Status;

std::string ConfChangeContext::Encode() const {
  common::ByteWriter w;
  w.PutVarint(request_id);
  w.PutVarint(peer_urls.size());
  for (const auto& u : peer_urls) w.PutBytes(u);
  return std::move(w.str());
}

std::optional<ConfChangeContext> ConfChangeContext::Decode(const std::string& bytes) {
  common::ByteReader rd(bytes);
  ConfChangeContext ctx;
  ctx.request_id = rd.GetVarint();
  uint64_t n = rd.GetVarint();
  for (uint64_t i = 0; i < n && !rd.failed(); ++i) ctx.peer_urls.push_back(rd.GetBytes());
  if (rd.failed() || !rd.done()) return std::nullopt;
  return ctx;
}

Status CheckConfChange(store::Store& st, const raft::ConfChange& cc, const ConfChangeContext& ctx) {
  // Id 0 is raft's "no node"; it can only come from a forged proposal.
  if (cc.node_id == raft::kNone) return Status::InvalidArgument("membership: invalid ID 0");
  if (st.Peek(RemovedMemberPath(cc.node_id), false).ok()) {
    return Status::InvalidArgument("membership: ID removed");
  }
  std::vector<Member> members = ReadMembers(st);
  auto it = std::find_if(members.begin(), members.end(), [&](const Member& m) { return m.id == cc.node_id; });
  bool exists = it != members.end();
  if (cc.type == raft::ConfChangeType::kAddNode && exists) return Status::AlreadyExists("membership: ID exists");
  // Snapshots with more voters are refused (raft::kMaxVoters): a cluster
  // that grew past it could not bring a new member up to date.
  if (cc.type == raft::ConfChangeType::kAddNode && members.size() >= raft::kMaxVoters) {
    return Status::InvalidArgument("membership: too many members");
  }
  if (cc.type != raft::ConfChangeType::kAddNode && !exists) return Status::NotFound("membership: member not found");
  if (cc.type == raft::ConfChangeType::kRemoveNode) return Status::OK();
  for (const Member& m : members) {
    if (m.id == cc.node_id) continue;
    for (const auto& u : ctx.peer_urls) {
      if (std::find(m.peer_urls.begin(), m.peer_urls.end(), u) != m.peer_urls.end()) {
        return Status::AlreadyExists("membership: peerURL exists");
      }
    }
  }
  return Status::OK();
}

void ApplyConfChangeToStore(store::Store& st, const raft::ConfChange& cc, const ConfChangeContext& ctx) {
  switch (cc.type) {
    // The same store operations as etcd's membership, so /v2/stats/store counts alike.
    case raft::ConfChangeType::kAddNode:
      st.Create(RaftAttributesPath(cc.node_id), false, RaftAttributesJson(ctx.peer_urls), false, {});
      break;
    case raft::ConfChangeType::kUpdateNode:
      st.Update(RaftAttributesPath(cc.node_id), RaftAttributesJson(ctx.peer_urls), {});
      break;
    case raft::ConfChangeType::kRemoveNode:
      st.Delete(MemberPath(cc.node_id), /*dir=*/true, /*recursive=*/true);
      st.Create(RemovedMemberPath(cc.node_id), false, "", false, {});
      break;
  }
}

}  // namespace etcdserver
