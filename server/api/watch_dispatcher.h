// Delivers store watch events to parked HTTP exchanges. The store calls a
// watcher's notify under its lock, so notify only schedules the session here;
// one dispatcher thread renders the events and writes them out. A waiting
// watch costs a session object and no thread.
//
// Threads: Schedule/Track are safe from any thread; delivery runs on the
// dispatcher thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "server/http/http.h"
#include "server/store/store.h"

namespace api {

// One open watch: the store's watcher and the exchange its events go to.
struct WatchSession {
  WatchSession(std::shared_ptr<http::Exchange> ex, bool stream_mode)
      : exchange(std::move(ex)), stream(stream_mode) {}
  std::shared_ptr<http::Exchange> exchange;
  const bool stream;              // stream=true: many events; else one, then end
  store::WatcherPtr watcher;      // set once before `started`
  std::atomic<bool> started{false};   // headers sent: events may be written
  std::atomic<bool> scheduled{false}; // queued for delivery
  bool finished = false;              // dispatcher thread only: response ended
};

class WatchDispatcher {
 public:
  WatchDispatcher();
  ~WatchDispatcher();
  WatchDispatcher(const WatchDispatcher&) = delete;
  WatchDispatcher& operator=(const WatchDispatcher&) = delete;

  // Keeps `session` alive until its watch ends, and delivers anything queued.
  void Start(const std::shared_ptr<WatchSession>& session);
  // Queues `session` for delivery (no-op before Start or when already queued).
  void Schedule(const std::shared_ptr<WatchSession>& session);

 private:
  void Run();
  // Writes queued events; true when the watch is over.
  bool Deliver(WatchSession& session);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<WatchSession>> ready_;               // guarded by mu_
  std::unordered_set<std::shared_ptr<WatchSession>> live_;        // guarded by mu_
  bool stopping_ = false;                                         // guarded by mu_
  std::thread thread_;
};

}  // namespace api
