// One destination peer: a bounded queue of outgoing raft messages drained by
// one thread that POSTs them in batches to the peer's /raft endpoint over a
// persistent connection, pipelined: up to kMaxInFlight requests are written
// before their answers come back (in order), so a leader keeps appending to
// a follower while earlier batches are on their way. Message order per peer
// is kept. A MsgSnap goes to the peer's SnapshotSender instead, which
// uploads it on a connection of its own. Private to server/transport.
//
// An idle sender sends an empty batch every kProbeInterval, so it knows
// whether the peer is reachable (ActiveSince) even when raft has nothing to
// say to it, as etcd's always-open streams do; and at once when the peer
// closes the idle connection, so a peer that exited is reported unreachable
// without waiting for the next message to it.
//
// Threads: Enqueue, SetUrls, Stop, Stats and ActiveSince are safe from any thread. The
// sender thread owns the connection and runs the callbacks. Every wait of
// the thread (connect, write, answer) also watches an eventfd that Enqueue
// and Stop signal, so Stop interrupts it at once. The destructor stops the
// thread and joins it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/raft/messages.h"
#include "server/transport/latency_stats.h"
#include "server/transport/peer_connection.h"
#include "server/transport/peer_identity.h"
#include "server/transport/snapshot_sender.h"
#include "server/transport/transport.h"

namespace transport {

class PeerSender {
 public:
  // Requests written and not yet answered, at most.
  static constexpr size_t kMaxInFlight = 8;
  static constexpr std::chrono::seconds kProbeInterval{1};

  using Identity = PeerIdentity;
  // `callbacks` must outlive the sender.
  PeerSender(Identity identity, std::vector<std::string> urls, const Callbacks& callbacks);
  ~PeerSender();
  PeerSender(const PeerSender&) = delete;
  PeerSender& operator=(const PeerSender&) = delete;

  // Queues `messages` in order under one lock and one wake-up; returns how
  // many MsgApps were queued. A message is dropped when the queue is full;
  // a drop is reported unreachable from the sender thread. A MsgSnap is
  // handed to the snapshot sender.
  size_t Enqueue(std::vector<raft::Message> messages);
  void SetUrls(std::vector<std::string> urls);
  // Asks the thread to end and interrupts its wait; no join.
  void Stop();
  PeerStats Stats() const;
  // When the peer started answering every request; zero while it does not.
  std::chrono::steady_clock::time_point ActiveSince() const;

 private:
  enum class Result { kOk, kFailed, kRemoved };
  struct Sent {  // one request written, waiting for its answer
    size_t appends = 0;
    std::chrono::steady_clock::time_point at;
  };
  using Batch = std::vector<raft::Message>;

  void Run();
  bool Stopping() const;
  void Wake();
  void DrainWake();
  Batch TakeBatch();  // requires mu_ held, queue non-empty
  bool Connect();     // tries every URL once, starting with the one that worked last
  void Write(const Batch& batch);
  void Answered(int status);  // the next answer, in request order
  void FailInFlight(const std::string& why);
  static Sent Describe(const Batch& batch);  // as sent now
  void Finish(const Sent& sent, Result result);

  const Identity id_;
  const Callbacks& callbacks_;
  const int wake_fd_;  // eventfd

  mutable std::mutex mu_;
  std::deque<raft::Message> queue_;  // GUARDED_BY(mu_); <= kMaxQueuedMessages, no MsgSnap
  std::vector<std::string> urls_;    // GUARDED_BY(mu_)
  bool dropped_ = false;             // GUARDED_BY(mu_): a drop not yet reported
  bool stopping_ = false;            // GUARDED_BY(mu_)
  LatencyStats stats_;               // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point active_since_{};  // GUARDED_BY(mu_)

  // Sender thread only.
  size_t url_index_ = 0;  // the URL that worked last
  bool active_ = true;    // the last request worked (logs only the changes)
  std::chrono::steady_clock::time_point last_write_;  // the last request (or attempt)
  std::chrono::steady_clock::time_point last_closed_probe_{};  // the last probe for a closed connection
  PeerConnection conn_;
  std::deque<Sent> in_flight_;

  SnapshotSender snapshots_;

  std::thread thread_;  // last: starts after every field is set
};

}  // namespace transport
