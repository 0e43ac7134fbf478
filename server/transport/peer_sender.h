// One destination peer: a bounded queue of outgoing raft messages drained by
// one thread that POSTs them in batches to the peer's /raft endpoint.
// Private to server/transport.
//
// Threads: Enqueue, SetUrls, Stop and Stats are safe from any thread. The
// sender thread owns the HTTP clients and runs the callbacks. The destructor
// stops the thread, aborting a request in flight, and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/raft/messages.h"
#include "server/transport/latency_stats.h"
#include "server/transport/transport.h"

namespace httplib {
class Client;
}

namespace transport {

class PeerSender {
 public:
  struct Identity {
    uint64_t local_id = 0;
    uint64_t cluster_id = 0;
    uint64_t peer_id = 0;
  };
  // `callbacks` must outlive the sender.
  PeerSender(Identity identity, std::vector<std::string> urls, const Callbacks& callbacks);
  ~PeerSender();
  PeerSender(const PeerSender&) = delete;
  PeerSender& operator=(const PeerSender&) = delete;

  // Queues `messages` in order under one lock and one wake-up; returns how
  // many MsgApps were queued. A message is dropped when the queue is full
  // (snapshots never are); a drop is reported unreachable from the sender
  // thread.
  size_t Enqueue(std::vector<raft::Message> messages);
  void SetUrls(std::vector<std::string> urls);
  // Asks the thread to end and aborts its request in flight; no join.
  void Stop();
  PeerStats Stats() const;

 private:
  enum class PostResult { kOk, kFailed, kRemoved };

  void Run();
  std::vector<raft::Message> TakeBatch();  // requires mu_ held, queue non-empty
  PostResult Post(const std::string& body, bool snapshot);
  PostResult PostTo(const std::string& url, const std::string& body, bool snapshot);
  void Finish(const std::vector<raft::Message>& batch, PostResult result,
              std::chrono::steady_clock::duration took);

  const Identity id_;
  const Callbacks& callbacks_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<raft::Message> queue_;       // GUARDED_BY(mu_); <= kMaxQueuedMessages non-snapshots
  std::vector<std::string> urls_;         // GUARDED_BY(mu_)
  bool dropped_ = false;                  // GUARDED_BY(mu_): a drop not yet reported
  bool stopping_ = false;                 // GUARDED_BY(mu_)
  httplib::Client* in_flight_ = nullptr;  // GUARDED_BY(mu_): the client of the current POST
  LatencyStats stats_;                    // GUARDED_BY(mu_)

  // Sender thread only.
  size_t url_index_ = 0;  // the URL that worked last
  bool active_ = true;    // the last POST worked (logs only the changes)
  std::string client_url_;
  std::unique_ptr<httplib::Client> client_;

  std::thread thread_;  // last: starts after every field is set
};

}  // namespace transport
