// Threads for blocking work handed off by I/O threads (a forward may wait as
// long as a watch does). Threads start on demand up to `max_threads` and then
// stay; at most `max_queued` tasks wait for a free thread (0: a task runs at
// once or is refused), beyond that Submit refuses, so a flood of requests
// cannot grow the proxy without bound.
//
// Thread-safe. Stop() does not interrupt running tasks: callers cancel them
// first, then Stop() joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace proxy {

class WorkerPool {
 public:
  WorkerPool(size_t max_threads, size_t max_queued);
  ~WorkerPool();

  // False when the queue is full or the pool is stopping.
  bool Submit(std::function<void()> task);

  // Drops tasks not yet started, waits for running ones, joins the threads.
  void Stop();

 private:
  void Loop();

  const size_t max_threads_;
  const size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  size_t idle_ = 0;                          // guarded by mu_
  size_t running_ = 0;                       // guarded by mu_; tasks under way
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;         // guarded by mu_
};

}  // namespace proxy
