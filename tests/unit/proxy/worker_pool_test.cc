// WorkerPool: its bounds, counted in tasks under way plus tasks waiting.
#include "server/proxy/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;

namespace {

// Tasks that block until released.
class Gate {
 public:
  std::function<void()> Task() {
    return [this] {
      std::unique_lock<std::mutex> lock(mu_);
      ++started_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
    };
  }
  bool WaitStarted(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 5s, [&] { return started_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int started_ = 0;
  bool open_ = false;
};

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("worker pool: max_threads run at once, max_queued wait, more are refused") {
    Gate gate;
    proxy::WorkerPool pool(3, 2);
    for (int i = 0; i < 5; ++i) CHECK(pool.Submit(gate.Task()));
    CHECK_FALSE(pool.Submit(gate.Task()));
    CHECK(gate.WaitStarted(3));
    CHECK_FALSE(pool.Submit(gate.Task()));
    gate.Open();
    std::atomic<int> ran{0};
    bool accepted = false;
    for (int i = 0; i < 500 && !accepted; ++i) {  // places come free as tasks end
      accepted = pool.Submit([&] { ++ran; });
      if (!accepted) std::this_thread::sleep_for(10ms);
    }
    CHECK(accepted);
    pool.Stop();
  }

  TEST_CASE("worker pool: without a queue, tasks run at once or are refused") {
    Gate gate;
    proxy::WorkerPool pool(2, 0);
    CHECK(pool.Submit(gate.Task()));
    CHECK(pool.Submit(gate.Task()));  // counted before its thread starts, not twice
    CHECK_FALSE(pool.Submit(gate.Task()));
    CHECK(gate.WaitStarted(2));
    gate.Open();
    pool.Stop();
  }
}
