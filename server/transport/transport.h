// Raft messages between members over HTTP on the peer URLs.
//
// Outgoing: Send() queues messages per destination; one sender thread per
// peer batches whatever is queued into POST /raft requests pipelined on a
// persistent connection (several in flight, answers in order), trying the
// peer's URLs in turn when connecting. A
// failed send reports the peer unreachable (and a failed snapshot send as a
// failed snapshot) through the callbacks, so raft can back off.
// Incoming: HandleRaft() serves POST /raft on the peer listener: it checks the
// sender's cluster id (X-Etcd-Cluster-Id) and that the sender is a current
// member, decodes the batch, checks every message and hands it to
// `on_receive`.
//
// Bounds: each peer queues at most kMaxQueuedMessages; beyond that new
// messages other than snapshots are dropped and the peer is reported
// unreachable, as etcd drops when its buffer is full. A batch carries at most
// about kMaxBatchBytes of entries, and a snapshot travels alone; the peer
// listener must accept bodies of the largest snapshot (etcd allows 64 MB).
//
// Threads: Send, UpdatePeers, MarkRemoved, HandleRaft and the stats accessors
// are safe from any thread; callbacks run on transport threads (never inside
// Send or HandleRaft's caller) and must not block.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/http/http.h"
#include "server/raft/messages.h"

namespace transport {

constexpr size_t kMaxQueuedMessages = 4096;
constexpr size_t kMaxBatchBytes = 4 << 20;

struct Callbacks {
  // Called on the peer listener's I/O thread with a decoded batch that passed
  // HandleRaft's checks. InvalidArgument refuses it (400, the reason is
  // logged); Unavailable when it cannot be queued now (503: the sender goes
  // on as for a lost message).
  std::function<common::Status(std::vector<raft::Message>)> on_receive;
  // A send to `peer` failed or messages to it were dropped.
  std::function<void(uint64_t peer)> on_unreachable;
  // After a batch holding a MsgSnap: delivered (failed=false) or not.
  std::function<void(uint64_t peer, bool failed)> on_snapshot_status;
  // Optional: `peer` answered 410, i.e. this member was removed from the
  // cluster (etcd stops the server then).
  std::function<void(uint64_t peer)> on_removed;
};

// Per-follower figures for /v2/stats/leader: one sample per MsgApp carried
// by a POST (its round trip, in ms); `fail` counts MsgApps of failed POSTs.
// As in etcd, the minimum is 2^63 until the first success.
struct PeerStats {
  double latency_current_ms = 0, latency_average_ms = 0, latency_stddev_ms = 0;
  double latency_min_ms = 9223372036854775808.0, latency_max_ms = 0;
  uint64_t fail = 0, success = 0;
};

class Transport {
 public:
  Transport(uint64_t member_id, uint64_t cluster_id, Callbacks callbacks);
  ~Transport();  // stops the sender threads
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // The peers to talk to (id -> peer URLs); self is ignored. Peers no longer
  // listed are dropped, new ones get a sender.
  void UpdatePeers(const std::map<uint64_t, std::vector<std::string>>& peers);
  // Marks a member removed: its messages are refused from now on.
  void MarkRemoved(uint64_t id);
  void Send(std::vector<raft::Message> messages);
  // Serves POST /raft, as etcd's rafthttp answers. Raft traffic is taken only
  // from current members (UpdatePeers), each message from the member that
  // X-Server-From names, to this member. Answers 204 on success (an empty
  // batch is a probe); 412 on a cluster-id mismatch or a message whose from
  // or to field does not match; 410 for a removed sender; 404 for a sender
  // that is not a member; 413 for a body over the listener's limit; 400 for
  // a body that does not decode or a message no correct peer sends
  // (raft::CheckMessage, or on_receive's refusal); 503 when on_receive cannot
  // queue it. Refusals are logged, at most 10 lines a second.
  void HandleRaft(const http::Request& req, const std::shared_ptr<http::Exchange>& ex);

  // One entry per current peer.
  std::map<uint64_t, PeerStats> Stats() const;
  // Since when `peer` has answered every request (idle peers are probed
  // every second, as etcd's streams stay open); a zero time_point when it is
  // unreachable now or unknown. For the strict reconfiguration check.
  std::chrono::steady_clock::time_point ActiveSince(uint64_t peer) const;
  // MsgApps handed to Send for a known peer / received by HandleRaft
  // (/v2/stats/self sendAppendRequestCnt, recvAppendRequestCnt).
  uint64_t sent_append_count() const;
  uint64_t received_append_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The wire form of a batch of messages (binary, versioned). Decode fails on
// malformed or truncated input, and on input whose decoded form would take
// more than its own size plus kDecodeSlack bytes of memory.
constexpr size_t kDecodeSlack = 8 << 20;
std::string EncodeMessages(const std::vector<raft::Message>& messages);
common::Result<std::vector<raft::Message>> DecodeMessages(const std::string& bytes);

}  // namespace transport
