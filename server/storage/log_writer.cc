#include "server/storage/log_writer.h"

#include <vector>

#include "common/thread_name.h"

namespace storage {

using common::Status;

LogWriter::LogWriter(SqliteStorage& disk) : disk_(disk), thread_([this] { Run(); }) {}

LogWriter::~LogWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
}

void LogWriter::Submit(Write write, Done done) {
  size_t bytes = write.bytes();
  {
    std::unique_lock<std::mutex> lock(mu_);
    // One write larger than the bound still goes in, alone.
    done_cv_.wait(lock, [&] { return queued_bytes_ == 0 || queued_bytes_ + bytes <= kMaxQueuedBytes; });
    queued_bytes_ += bytes;
    queue_.emplace_back(std::move(write), std::move(done));
  }
  work_cv_.notify_one();
}

Status LogWriter::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
  return failed_;
}

void LogWriter::Run() {
  common::SetThreadName("log-writer");
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything is written
    std::deque<std::pair<Write, Done>> batch;
    batch.swap(queue_);
    queued_bytes_ = 0;
    busy_ = true;
    Status s = failed_;
    lock.unlock();
    done_cv_.notify_all();  // room in the queue again

    if (s.ok()) {
      std::vector<Write> writes;
      writes.reserve(batch.size());
      for (auto& [w, done] : batch) {
        if (!w.empty()) writes.push_back(std::move(w));
      }
      if (!writes.empty()) s = disk_.Save(writes);
    }
    for (auto& [w, done] : batch) {
      if (done) done(s);
    }

    lock.lock();
    if (!s.ok() && failed_.ok()) failed_ = s;
    busy_ = false;
    done_cv_.notify_all();
  }
}

}  // namespace storage
