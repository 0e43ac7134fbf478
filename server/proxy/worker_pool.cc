#include "server/proxy/worker_pool.h"

#include <utility>

#include "common/thread_name.h"

namespace proxy {

WorkerPool::WorkerPool(size_t max_threads, size_t max_queued)
    : max_threads_(max_threads), max_queued_(max_queued) {}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  // Tasks running or waiting, against the threads and queue places there are.
  if (stopping_ || running_ + queue_.size() >= max_threads_ + max_queued_) return false;
  queue_.push_back(std::move(task));
  // Queued tasks beyond the idle threads need new ones, while the cap allows.
  if (queue_.size() > idle_ && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Loop(); });
  } else {
    cv_.notify_one();
  }
  return true;
}

void WorkerPool::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    queue_.clear();
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

void WorkerPool::Loop() {
  common::SetThreadName("proxy-worker");
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ++idle_;
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (stopping_) return;
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // what it holds goes before the count does
    lock.lock();
    --running_;
  }
}

}  // namespace proxy
