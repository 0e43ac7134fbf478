#include "server/transport/snapshot_inbox.h"

#include <chrono>
#include <utility>

#include "common/thread_name.h"

namespace transport {

SnapshotInbox::SnapshotInbox(std::unique_ptr<SnapshotReceiver> receiver, Answer answer)
    : receiver_(std::move(receiver)), answer_(std::move(answer)), thread_([this] { Run(); }) {}

SnapshotInbox::~SnapshotInbox() {
  std::deque<Job> left;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    left.swap(jobs_);
  }
  cv_.notify_all();
  for (Job& job : left) job.ex->Reply(http::TextError(503, "member is stopping"));
  thread_.join();
}

void SnapshotInbox::Submit(uint64_t from, http::Request req, std::shared_ptr<http::Exchange> ex) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && jobs_.size() < kMaxQueued) {
      jobs_.push_back(Job{from, std::move(req), std::move(ex)});
      cv_.notify_one();
      return;
    }
  }
  ex->Reply(http::TextError(503, "too many snapshot chunks waiting"));
}

void SnapshotInbox::Run() {
  common::SetThreadName("snap-inbox");
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      if (!jobs_.empty()) {
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
    }
    auto now = SnapshotReceiver::Clock::now();
    receiver_->Expire(now);
    if (!job.ex) continue;
    SnapshotReceiver::Outcome out = receiver_->Receive(job.from, job.req.body, now);
    job.req.body = std::string();  // the chunk's memory goes before the snapshot is delivered
    job.ex->Reply(answer_(job.req, job.from, std::move(out)));
  }
}

}  // namespace transport
