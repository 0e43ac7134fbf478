// SnapshotInbox: serves snapshot upload chunks off the peer listener's I/O
// threads. One worker thread takes the chunks in arrival order, feeds them
// to a SnapshotReceiver (file writes and the digest take time) and answers
// each with what `answer` makes of the receiver's outcome; for a complete
// snapshot that is after its checks and the hand-over to raft, so a 204 to
// the last chunk means delivered, as on /raft. The worker also drops idle
// uploads (checked every second).
//
// Bounds: at most kMaxQueued chunks wait; beyond that a chunk gets 503 at
// once, so waiting bodies hold at most kMaxQueued peer bodies of memory.
//
// Threads: Submit is safe from any thread; `answer` runs on the worker and
// must not block. The destructor answers what still waits with 503 and
// joins the worker.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/http/http.h"
#include "server/raft/messages.h"
#include "server/transport/snapshot_receiver.h"

namespace transport {

class SnapshotInbox {
 public:
  static constexpr size_t kMaxQueued = 4;

  // The answer to the chunk request `req` (body emptied) from member `from`,
  // given the receiver's outcome; hands on the MsgSnap of a complete one.
  using Answer = std::function<http::Response(const http::Request& req, uint64_t from, SnapshotReceiver::Outcome)>;

  SnapshotInbox(std::unique_ptr<SnapshotReceiver> receiver, Answer answer);
  ~SnapshotInbox();
  SnapshotInbox(const SnapshotInbox&) = delete;
  SnapshotInbox& operator=(const SnapshotInbox&) = delete;

  // Queues the chunk request `req` sent by member `from`; `ex` gets its answer.
  void Submit(uint64_t from, http::Request req, std::shared_ptr<http::Exchange> ex);

 private:
  struct Job {
    uint64_t from = 0;
    http::Request req;
    std::shared_ptr<http::Exchange> ex;
  };
  void Run();

  const std::unique_ptr<SnapshotReceiver> receiver_;  // worker thread only
  const Answer answer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;  // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;     // last: starts after every field is set
};

}  // namespace transport
