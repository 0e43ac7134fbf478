#include "server/etcdserver/conf_change.h"

#include "common/bytes.h"
#include "server/etcdserver/membership.h"

namespace etcdserver {

std::string ConfChange::Encode() const {
  common::ByteWriter w;
  w.PutVarint(static_cast<uint64_t>(type));
  w.PutVarint(member_id);
  w.PutVarint(peer_urls.size());
  for (const auto& u : peer_urls) w.PutBytes(u);
  return std::move(w.str());
}

std::optional<ConfChange> ConfChange::Decode(const std::string& bytes) {
  common::ByteReader rd(bytes);
  ConfChange cc;
  uint64_t type = rd.GetVarint();
  if (type > static_cast<uint64_t>(Type::kUpdate)) return std::nullopt;
  cc.type = static_cast<Type>(type);
  cc.member_id = rd.GetVarint();
  uint64_t n = rd.GetVarint();
  for (uint64_t i = 0; i < n && !rd.failed(); ++i) cc.peer_urls.push_back(rd.GetBytes());
  if (rd.failed() || !rd.done()) return std::nullopt;
  return cc;
}

void ApplyConfChange(store::Store& st, const ConfChange& cc) {
  switch (cc.type) {
    case ConfChange::Type::kAdd:
    case ConfChange::Type::kUpdate:
      st.Set(RaftAttributesPath(cc.member_id), false, RaftAttributesJson(cc.peer_urls), {});
      break;
    case ConfChange::Type::kRemove:
      st.Delete(MemberPath(cc.member_id), /*dir=*/true, /*recursive=*/true);
      st.Set(RemovedMemberPath(cc.member_id), false, "", {});
      break;
  }
}

}  // namespace etcdserver
