#include "server/raft/messages.h"

namespace raft {

const char* MessageTypeName(MessageType t) {
  switch (t) {
    case MessageType::kApp: return "MsgApp";
    case MessageType::kAppResp: return "MsgAppResp";
    case MessageType::kVote: return "MsgVote";
    case MessageType::kVoteResp: return "MsgVoteResp";
    case MessageType::kPreVote: return "MsgPreVote";
    case MessageType::kPreVoteResp: return "MsgPreVoteResp";
    case MessageType::kHeartbeat: return "MsgHeartbeat";
    case MessageType::kHeartbeatResp: return "MsgHeartbeatResp";
    case MessageType::kSnap: return "MsgSnap";
    case MessageType::kTimeoutNow: return "MsgTimeoutNow";
    case MessageType::kTransferLeader: return "MsgTransferLeader";
    case MessageType::kProp: return "MsgProp";
    case MessageType::kReadIndex: return "MsgReadIndex";
    case MessageType::kReadIndexResp: return "MsgReadIndexResp";
  }
  return "MsgUnknown";
}

bool IsResponse(MessageType t) {
  return t == MessageType::kAppResp || t == MessageType::kVoteResp ||
         t == MessageType::kPreVoteResp || t == MessageType::kHeartbeatResp;
}

const char* StateRoleName(StateRole r) {
  switch (r) {
    case StateRole::kFollower: return "StateFollower";
    case StateRole::kCandidate: return "StateCandidate";
    case StateRole::kLeader: return "StateLeader";
    case StateRole::kPreCandidate: return "StatePreCandidate";
  }
  return "StateUnknown";
}

namespace {
void PutU64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetU64(const std::string& in, size_t pos) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(in[pos + i])} << (8 * i);
  return v;
}
}  // namespace

// Layout: 1 byte type, 8 bytes node id (little endian), then the context.
std::string EncodeConfChange(const ConfChange& cc) {
  std::string out;
  out.push_back(static_cast<char>(cc.type));
  PutU64(&out, cc.node_id);
  out += cc.context;
  return out;
}

common::Result<ConfChange> DecodeConfChange(const std::string& data) {
  if (data.size() < 9 || static_cast<unsigned char>(data[0]) > 2) {
    return common::Status::Corruption("raft: malformed conf change entry");
  }
  ConfChange cc;
  cc.type = static_cast<ConfChangeType>(data[0]);
  cc.node_id = GetU64(data, 1);
  cc.context = data.substr(9);
  return cc;
}

}  // namespace raft
