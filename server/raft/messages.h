// The values raft exchanges with its caller and its peers: log entries, the
// persistent hard state, snapshots, messages and configuration changes.
// Plain copyable values; safe to move between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/shared_bytes.h"
#include "common/status.h"

namespace raft {

using NodeId = uint64_t;
constexpr NodeId kNone = 0;  // "no node": no vote, no known leader

enum class EntryType : uint8_t { kNormal = 0, kConfChange = 1 };

struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  EntryType type = EntryType::kNormal;
  std::string data;  // opaque to raft; an encoded ConfChange for kConfChange
  bool operator==(const Entry& o) const {
    return term == o.term && index == o.index && type == o.type && data == o.data;
  }
};

// What must be durable before a node answers a vote or acknowledges entries.
struct HardState {
  uint64_t term = 0;
  NodeId vote = kNone;
  uint64_t commit = 0;
  bool operator==(const HardState& o) const {
    return term == o.term && vote == o.vote && commit == o.commit;
  }
  bool operator!=(const HardState& o) const { return !(*this == o); }
  bool IsEmpty() const { return *this == HardState{}; }
};

// The voting members. Kept sorted by id.
struct ConfState {
  std::vector<NodeId> voters;
  bool operator==(const ConfState& o) const { return voters == o.voters; }
};

struct SnapshotMetadata {
  uint64_t index = 0;  // last entry the snapshot covers
  uint64_t term = 0;   // term of that entry
  ConfState conf_state;
};

struct Snapshot {
  SnapshotMetadata metadata;
  // The application's state machine, opaque to raft; copies of a Snapshot
  // share it.
  common::SharedBytes data;
  bool IsEmpty() const { return metadata.index == 0; }
};

enum class MessageType : uint8_t {
  kApp,             // append entries (paper: AppendEntries RPC)
  kAppResp,
  kVote,            // request vote
  kVoteResp,
  kPreVote,         // vote asked at term+1 without changing any term
  kPreVoteResp,
  kHeartbeat,       // empty append that carries min(match, commit)
  kHeartbeatResp,
  kSnap,            // install snapshot
  kTimeoutNow,      // leadership transfer: campaign now, skipping pre-vote
  kTransferLeader,  // ask the leader to hand over to `from`
  kProp,            // proposal forwarded to the leader
  kReadIndex,       // linearizable read request forwarded to the leader
  kReadIndexResp,
};

const char* MessageTypeName(MessageType t);
// Responses are dropped when they come from a node outside the configuration.
bool IsResponse(MessageType t);

struct Message {
  MessageType type = MessageType::kApp;
  NodeId from = kNone;
  NodeId to = kNone;
  uint64_t term = 0;      // sender's term; 0 for proposals and read requests
  uint64_t log_term = 0;  // term of `index` (app, vote), or of the reject hint
  uint64_t index = 0;     // entry before `entries`; last log index (vote); match (resp)
  std::vector<Entry> entries;
  uint64_t commit = 0;
  // kApp without entries that only carries a new commit index: its
  // acceptance would tell the leader nothing new (see Raft::BcastCommit),
  // so only a rejection is answered. Half the appends of a busy cluster.
  bool commit_only = false;
  bool reject = false;
  uint64_t reject_hint = 0;  // follower's guess of where the logs agree
  Snapshot snapshot;         // kSnap only
  std::string context;       // read-index request id; campaign kind for votes
};

enum class ConfChangeType : uint8_t { kAddNode = 0, kRemoveNode = 1, kUpdateNode = 2 };

struct ConfChange {
  ConfChangeType type = ConfChangeType::kAddNode;
  NodeId node_id = kNone;
  std::string context;  // opaque to raft (etcd: the member's attributes)
  bool operator==(const ConfChange& o) const {
    return type == o.type && node_id == o.node_id && context == o.context;
  }
};

// Binary form of a ConfChange inside an Entry of type kConfChange.
std::string EncodeConfChange(const ConfChange& cc);
common::Result<ConfChange> DecodeConfChange(const std::string& data);

// The answer to a ReadIndex request: reads of state applied at or after
// `index` are linearizable with respect to the moment of the request.
struct ReadState {
  uint64_t index = 0;
  std::string request_ctx;
};

enum class StateRole : uint8_t { kFollower, kCandidate, kLeader, kPreCandidate };
const char* StateRoleName(StateRole r);

// Volatile state the application may want to watch (leader changes).
struct SoftState {
  NodeId lead = kNone;
  StateRole role = StateRole::kFollower;
  bool operator==(const SoftState& o) const { return lead == o.lead && role == o.role; }
  bool operator!=(const SoftState& o) const { return !(*this == o); }
};

}  // namespace raft
