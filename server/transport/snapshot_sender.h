// SnapshotSender: uploads MsgSnaps to one peer's POST /raft/snapshot in
// chunks of at most kChunkBytes (see snapshot_chunk.h), on a thread and a
// connection of its own, so the heartbeats and other messages to that peer
// keep flowing meanwhile, and no request body holds the whole snapshot.
// One upload at a time: a MsgSnap offered during an upload cancels it (raft
// sends another only after a leadership change, which dropped the old
// one's progress). An upload fails as a whole on any error; raft sends the
// snapshot again later, as a new upload. The outcome of each upload goes to
// on_snapshot_status (a failure to on_unreachable too); a cancelled one
// reports nothing. Private to server/transport.
//
// Threads: Offer and Stop are safe from any thread; the worker thread
// (started at the first Offer) runs the upload and the callbacks. Every wait
// also watches an eventfd that Offer and Stop signal. The destructor stops
// and joins the thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "server/raft/messages.h"
#include "server/transport/peer_connection.h"
#include "server/transport/peer_identity.h"
#include "server/transport/transport.h"

namespace transport {

class SnapshotSender {
 public:
  static constexpr size_t kChunkBytes = 8 << 20;

  // `callbacks` must outlive the sender.
  SnapshotSender(PeerIdentity identity, const Callbacks& callbacks);
  ~SnapshotSender();
  SnapshotSender(const SnapshotSender&) = delete;
  SnapshotSender& operator=(const SnapshotSender&) = delete;

  // Uploads `snap` to the peer at `urls`, after cancelling the upload under
  // way, if any.
  void Offer(raft::Message snap, std::vector<std::string> urls);
  // Cancels the upload under way and ends the thread; no join.
  void Stop();

 private:
  struct Job {
    raft::Message snap;
    std::vector<std::string> urls;
  };
  enum class Result { kOk, kFailed, kCancelled };

  void Run();
  Result Upload(Job& job);
  Result Send(const std::vector<std::string>& urls, const std::string& head, std::string_view data,
              PeerConnection::Clock::duration timeout);
  bool Cancelled();  // a newer job or Stop
  void Report(Result result);
  void Wake();
  void DrainWake();

  const PeerIdentity id_;
  const Callbacks& callbacks_;
  const int wake_fd_;  // eventfd

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Job> next_;  // GUARDED_BY(mu_)
  bool stopping_ = false;    // GUARDED_BY(mu_)
  std::thread thread_;       // GUARDED_BY(mu_): started by the first Offer

  // Worker thread only.
  PeerConnection conn_;
  size_t url_index_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace transport
