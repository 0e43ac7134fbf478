#include "server/transport/snapshot_sender.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "common/log.h"
#include "common/member_id.h"
#include "common/sha256.h"
#include "common/thread_name.h"
#include "server/transport/snapshot_chunk.h"

namespace transport {
namespace {

using Clock = PeerConnection::Clock;

constexpr auto kConnectTimeout = std::chrono::seconds(1);
// Each chunk is written and answered within this; the last one's answer
// also waits for the peer to read back, check and decode the whole
// snapshot, so it gets a second more per kFinishBytesPerSecond on top.
constexpr auto kChunkTimeout = std::chrono::seconds(30);
constexpr uint64_t kFinishBytesPerSecond = 16 << 20;

}  // namespace

SnapshotSender::SnapshotSender(PeerIdentity identity, const Callbacks& callbacks)
    : id_(identity),
      callbacks_(callbacks),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      conn_(wake_fd_, [this] { return Cancelled(); }),
      rng_(std::random_device{}()) {}

SnapshotSender::~SnapshotSender() {
  Stop();
  if (thread_.joinable()) thread_.join();
  ::close(wake_fd_);
}

void SnapshotSender::Offer(raft::Message snap, std::vector<std::string> urls) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    next_ = Job{std::move(snap), std::move(urls)};
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  cv_.notify_one();
  Wake();
}

void SnapshotSender::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  Wake();
}

void SnapshotSender::Wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void SnapshotSender::DrainWake() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
}

bool SnapshotSender::Cancelled() {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_ || next_.has_value();
}

void SnapshotSender::Run() {
  common::SetThreadName("snap-" + common::FormatId(id_.peer_id));
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || next_.has_value(); });
      if (stopping_) break;
      job = std::move(*next_);
      next_.reset();
    }
    DrainWake();
    Result result = Upload(job);
    conn_.Close();
    Report(result);
  }
  conn_.Close();
}

// Takes the data out of `job.snap`: the message itself goes with the first
// chunk, the data in slices.
SnapshotSender::Result SnapshotSender::Upload(Job& job) {
  const common::SharedBytes shared = std::move(job.snap.snapshot.data);
  const std::string& data = shared.str();
  job.snap.snapshot.data = {};
  SnapshotChunk chunk;
  chunk.upload = rng_();
  chunk.total = data.size();
  chunk.digest = common::Sha256::Of(data);
  chunk.message = EncodeMessages({job.snap});
  for (uint64_t offset = 0;;) {
    size_t n = std::min<uint64_t>(kChunkBytes, data.size() - offset);
    bool last = offset + n == data.size();
    auto timeout = kChunkTimeout + (last ? std::chrono::seconds(data.size() / kFinishBytesPerSecond) : std::chrono::seconds(0));
    chunk.offset = offset;
    Result r = Send(job.urls, EncodeSnapshotChunkHead(chunk), std::string_view(data).substr(offset, n), timeout);
    if (r != Result::kOk) return r;
    if (last) {
      KV_LOG(kInfo, "rafthttp") << "sent snapshot at index " << job.snap.snapshot.metadata.index << " ("
                                << data.size() << " bytes) to peer " << common::FormatId(id_.peer_id);
      return r;
    }
    chunk.message.clear();  // first chunk only
    offset += n;
  }
}

SnapshotSender::Result SnapshotSender::Send(const std::vector<std::string>& urls, const std::string& head,
                                            std::string_view data, Clock::duration timeout) {
  auto failed = [&](const std::string& why) {
    if (Cancelled()) return Result::kCancelled;
    KV_LOG(kWarn, "rafthttp") << "snapshot upload to peer " << common::FormatId(id_.peer_id) << " failed: " << why;
    return Result::kFailed;
  };
  if (!conn_.connected()) {
    common::Status s = conn_.ConnectAny(urls, &url_index_, kConnectTimeout);
    if (!s.ok()) return failed(s.message());
  }
  conn_.QueueRequest("/raft/snapshot", id_.Headers(), {head, data});
  const Clock::time_point deadline = Clock::now() + timeout;
  std::vector<int> statuses;
  std::string error;
  while (statuses.empty()) {
    PeerConnection::Event ev = conn_.Pump(deadline, &statuses, &error);
    if (ev == PeerConnection::Event::kFailed) return failed(error);
    if (ev == PeerConnection::Event::kWoken) {
      DrainWake();
      if (Cancelled()) return Result::kCancelled;
    }
    if (statuses.empty() && !conn_.connected()) return failed("the peer closed the connection");
  }
  if (statuses.front() != 204) return failed("the peer answered " + std::to_string(statuses.front()));
  return Result::kOk;
}

void SnapshotSender::Report(Result result) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || result == Result::kCancelled) return;  // no callbacks during teardown
  }
  bool failed = result == Result::kFailed;
  if (failed && callbacks_.on_unreachable) callbacks_.on_unreachable(id_.peer_id);
  if (callbacks_.on_snapshot_status) callbacks_.on_snapshot_status(id_.peer_id, failed);
}

}  // namespace transport
