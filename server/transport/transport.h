// Raft messages between members over HTTP on the peer URLs.
//
// Outgoing: Send() queues messages per destination; one sender thread per
// peer batches whatever is queued into POST /raft requests pipelined on a
// persistent connection (several in flight, answers in order), trying the
// peer's URLs in turn when connecting. A MsgSnap is uploaded to the peer's
// POST /raft/snapshot instead, in chunks, on a thread and connection of its
// own (snapshot_sender.h), as etcd sends snapshots apart from its streams. A
// failed send reports the peer unreachable (and a failed snapshot upload as a
// failed snapshot) through the callbacks, so raft can back off.
// Incoming: HandleRaft() serves POST /raft on the peer listener: it checks the
// sender's cluster id (X-Etcd-Cluster-Id) and that the sender is a current
// member, decodes the batch, checks every message and hands it to
// `on_receive`. HandleSnapshot() serves POST /raft/snapshot: the same sender
// checks; chunks are put together in files under the snapshot spool
// directory (snapshot_receiver.h), the upload's MsgSnap is checked as every
// /raft message is before its data comes, and once the whole data is in and
// matches its digest, it goes through the same checks and `on_receive` as a
// /raft batch. One path in, whichever way a message came.
//
// Bounds: each peer queues at most kMaxQueuedMessages; beyond that new
// messages are dropped and the peer is reported unreachable, as etcd drops
// when its buffer is full. A batch carries at most about kMaxBatchBytes of
// entries. A snapshot chunk carries at most 8 MiB of data (16 MiB accepted);
// one snapshot upload per peer each way, and the uploads bounded as
// snapshot_receiver.h says.
//
// Threads: Send, UpdatePeers, MarkRemoved, HandleRaft, HandleSnapshot and the
// stats accessors are safe from any thread; callbacks run on transport
// threads (never inside Send) and must not block.
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
  // Called with a batch that passed the transport's checks: on the peer
  // listener's I/O thread (a /raft batch) or on the snapshot inbox's thread
  // (a complete MsgSnap, data included). InvalidArgument refuses it (400,
  // the reason is logged); Unavailable when it cannot be queued now (503:
  // the sender goes on as for a lost message). May take time (it may check
  // a snapshot's data).
  std::function<common::Status(std::vector<raft::Message>)> on_receive;
  // A send to `peer` failed or messages to it were dropped.
  std::function<void(uint64_t peer)> on_unreachable;
  // After a snapshot upload: delivered (failed=false) or not.
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
  // Snapshot uploads are put together in `snapshot_dir` (created when
  // needed; its leftovers deleted now); without one, /raft/snapshot answers
  // 503.
  Transport(uint64_t member_id, uint64_t cluster_id, Callbacks callbacks, std::string snapshot_dir = {});
  ~Transport();  // stops the sender threads and the snapshot inbox
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
  // Serves POST /raft/snapshot (one chunk of an upload): the answers of
  // HandleRaft for method, cluster id, sender and body size, for the
  // upload's message (checked at its first chunk) and, at the last chunk,
  // for the complete MsgSnap; 503 without a snapshot directory or while
  // kMaxQueued chunks wait; else the receiver's answer (snapshot_receiver.h).
  void HandleSnapshot(http::Request req, const std::shared_ptr<http::Exchange>& ex);

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
