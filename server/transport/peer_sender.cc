#include "server/transport/peer_sender.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "common/log.h"
#include "common/member_id.h"
#include "common/thread_name.h"

namespace transport {
namespace {

using Clock = std::chrono::steady_clock;

// Connection setup is short so a dead URL gives way to the next one quickly.
// Stop() interrupts any of these at once.
constexpr auto kConnectTimeout = std::chrono::seconds(1);
constexpr auto kIoTimeout = std::chrono::seconds(5);

// Rough encoded size, to cut batches near kMaxBatchBytes.
size_t ApproxSize(const raft::Message& m) {
  size_t n = 64 + m.context.size();
  for (const raft::Entry& e : m.entries) n += 16 + e.data.size();
  return n;
}

}  // namespace

PeerSender::PeerSender(Identity identity, std::vector<std::string> urls, const Callbacks& callbacks)
    : id_(identity),
      callbacks_(callbacks),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      urls_(std::move(urls)),
      last_write_(Clock::now()),  // the first probe comes a probe interval after start
      conn_(wake_fd_, [this] { return Stopping(); }),
      snapshots_(identity, callbacks),
      thread_([this] { Run(); }) {}

PeerSender::~PeerSender() {
  Stop();
  thread_.join();
  ::close(wake_fd_);
}

size_t PeerSender::Enqueue(std::vector<raft::Message> messages) {
  size_t appends = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return 0;
    for (raft::Message& m : messages) {
      if (m.type == raft::MessageType::kSnap) {
        snapshots_.Offer(std::move(m), urls_);
        continue;
      }
      if (queue_.size() >= kMaxQueuedMessages) {
        if (!dropped_) {
          KV_LOG(kWarn, "rafthttp") << "dropped internal raft message to " << common::FormatId(id_.peer_id)
                                    << " since its sending buffer is full (overloaded network)";
        }
        dropped_ = true;
        continue;
      }
      appends += m.type == raft::MessageType::kApp ? 1 : 0;
      queue_.push_back(std::move(m));
    }
  }
  Wake();
  return appends;
}

void PeerSender::SetUrls(std::vector<std::string> urls) {
  std::lock_guard<std::mutex> lock(mu_);
  urls_ = std::move(urls);
}

void PeerSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  snapshots_.Stop();
  Wake();
}

bool PeerSender::Stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

PeerStats PeerSender::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.stats();
}

Clock::time_point PeerSender::ActiveSince() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_since_;
}

void PeerSender::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void PeerSender::DrainWake() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
}

void PeerSender::Run() {
  common::SetThreadName("peer-" + common::FormatId(id_.peer_id));
  std::vector<int> statuses;
  std::string error;
  while (true) {
    std::vector<Batch> batches;
    bool report_drop = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
      report_drop = std::exchange(dropped_, false);
      while (!queue_.empty() && in_flight_.size() + batches.size() < kMaxInFlight) {
        batches.push_back(TakeBatch());
      }
    }
    if (report_drop && callbacks_.on_unreachable) callbacks_.on_unreachable(id_.peer_id);
    if (batches.empty() && in_flight_.empty() && !report_drop) {
      PeerConnection::Idle idle = conn_.WaitIdle(last_write_ + kProbeInterval);
      if (idle == PeerConnection::Idle::kWoken) {
        DrainWake();
        continue;  // new messages, or Stop
      }
      // A peer that closed our connection may have exited: probe it now
      // (once per kProbeInterval), so a dead leader is reported unreachable
      // within milliseconds. Otherwise, idle for a while: probe anyway.
      if (idle == PeerConnection::Idle::kClosed && Clock::now() - last_closed_probe_ < kProbeInterval) continue;
      if (idle == PeerConnection::Idle::kClosed) last_closed_probe_ = Clock::now();
      batches.emplace_back();  // an empty batch probes the peer
    }
    if (!batches.empty()) {
      last_write_ = Clock::now();
      // A connection that sat idle may have been closed by the peer.
      if (in_flight_.empty() && conn_.connected() && conn_.Stale()) conn_.Close();
      if (!conn_.connected() && !Connect()) {
        if (Stopping()) break;
        for (const Batch& b : batches) Finish(Describe(b), Result::kFailed);
        continue;
      }
      for (const Batch& b : batches) Write(b);
    }
    if (in_flight_.empty()) continue;
    Clock::time_point deadline = in_flight_.front().at + kIoTimeout;
    statuses.clear();
    PeerConnection::Event ev = conn_.Pump(deadline, &statuses, &error);
    for (int status : statuses) Answered(status);
    if (ev == PeerConnection::Event::kWoken) {
      DrainWake();
    } else if (ev == PeerConnection::Event::kFailed) {
      FailInFlight(error);
    } else if (!conn_.connected()) {
      FailInFlight("the peer closed the connection");  // after Connection: close
    }
  }
  conn_.Close();
}

PeerSender::Batch PeerSender::TakeBatch() {
  Batch batch;
  size_t bytes = 0;
  while (!queue_.empty() && bytes < kMaxBatchBytes) {
    bytes += ApproxSize(queue_.front());
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

bool PeerSender::Connect() {
  std::vector<std::string> urls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    urls = urls_;
  }
  return conn_.ConnectAny(urls, &url_index_, kConnectTimeout).ok();
}

void PeerSender::Write(const Batch& batch) {
  conn_.QueueRequest("/raft", id_.Headers(), {EncodeMessages(batch)});
  in_flight_.push_back(Describe(batch));
}

void PeerSender::Answered(int status) {
  if (in_flight_.empty()) return;  // an answer to nothing: the peer is confused
  Sent sent = in_flight_.front();
  in_flight_.pop_front();
  Result result = status / 100 == 2 ? Result::kOk : status == 410 ? Result::kRemoved : Result::kFailed;
  if (result == Result::kFailed) {
    KV_LOG(kDebug, "rafthttp") << "peer " << common::FormatId(id_.peer_id) << " answered " << status;
  }
  Finish(sent, result);
}

void PeerSender::FailInFlight(const std::string& why) {
  KV_LOG(kDebug, "rafthttp") << "connection to peer " << common::FormatId(id_.peer_id) << " failed: " << why;
  conn_.Close();
  while (!in_flight_.empty()) {
    Sent sent = in_flight_.front();
    in_flight_.pop_front();
    Finish(sent, Result::kFailed);
  }
}

PeerSender::Sent PeerSender::Describe(const Batch& batch) {
  Sent sent;
  for (const raft::Message& m : batch) sent.appends += m.type == raft::MessageType::kApp ? 1 : 0;
  sent.at = Clock::now();
  return sent;
}

void PeerSender::Finish(const Sent& sent, Result result) {
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - sent.at).count();
  bool ok = result == Result::kOk;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;  // the owner is tearing down: no more callbacks
    if (!ok) {
      active_since_ = {};
    } else if (active_since_ == Clock::time_point{}) {
      active_since_ = Clock::now();
    }
    for (size_t i = 0; i < sent.appends; ++i) {
      if (ok) {
        stats_.Succeed(ms);
      } else {
        stats_.Fail();
      }
    }
  }
  if (ok != active_) {
    active_ = ok;
    KV_LOG(kInfo, "rafthttp") << "peer " << common::FormatId(id_.peer_id)
                              << (ok ? " became active" : " became inactive (message send to peer failed)");
  }
  if (result == Result::kRemoved) {
    KV_LOG(kError, "rafthttp") << "peer " << common::FormatId(id_.peer_id)
                               << " says this member was removed from the cluster";
    if (callbacks_.on_removed) callbacks_.on_removed(id_.peer_id);
  }
  // Probes report too: a follower learns at once that its leader is gone.
  if (!ok && callbacks_.on_unreachable) callbacks_.on_unreachable(id_.peer_id);
}

}  // namespace transport
