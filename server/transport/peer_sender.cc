#include "server/transport/peer_sender.h"

#include <httplib.h>

#include <utility>

#include "common/log.h"
#include "common/member_id.h"

namespace transport {
namespace {

using Clock = std::chrono::steady_clock;

// Connection setup is short so a dead URL gives way to the next one quickly;
// a snapshot may be many MB, so its batch gets longer to be written and
// decoded. Stop() aborts any of these at once.
constexpr auto kConnectTimeout = std::chrono::seconds(1);
constexpr auto kIoTimeout = std::chrono::seconds(5);
constexpr auto kSnapshotIoTimeout = std::chrono::seconds(30);

// Rough encoded size, to cut batches near kMaxBatchBytes.
size_t ApproxSize(const raft::Message& m) {
  size_t n = 64 + m.context.size() + m.snapshot.data.size();
  for (const raft::Entry& e : m.entries) n += 16 + e.data.size();
  return n;
}

}  // namespace

PeerSender::PeerSender(Identity identity, std::vector<std::string> urls, const Callbacks& callbacks)
    : id_(identity), callbacks_(callbacks), urls_(std::move(urls)), thread_([this] { Run(); }) {}

PeerSender::~PeerSender() {
  Stop();
  thread_.join();
}

size_t PeerSender::Enqueue(std::vector<raft::Message> messages) {
  size_t appends = 0;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return 0;
  for (raft::Message& m : messages) {
    if (m.type != raft::MessageType::kSnap && queue_.size() >= kMaxQueuedMessages) {
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
  cv_.notify_one();
  return appends;
}

void PeerSender::SetUrls(std::vector<std::string> urls) {
  std::lock_guard<std::mutex> lock(mu_);
  urls_ = std::move(urls);
}

void PeerSender::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  if (in_flight_ != nullptr) in_flight_->stop();  // fails the blocked read/write now
  cv_.notify_one();
}

PeerStats PeerSender::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_.stats();
}

void PeerSender::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || dropped_ || !queue_.empty(); });
    if (stopping_) return;
    if (dropped_) {
      dropped_ = false;
      lock.unlock();
      if (callbacks_.on_unreachable) callbacks_.on_unreachable(id_.peer_id);
      lock.lock();
      continue;
    }
    std::vector<raft::Message> batch = TakeBatch();
    lock.unlock();
    bool snapshot = batch.front().type == raft::MessageType::kSnap;
    Clock::time_point start = Clock::now();
    PostResult result = Post(EncodeMessages(batch), snapshot);
    Finish(batch, result, Clock::now() - start);
    lock.lock();
  }
}

// A snapshot travels alone, so its status is that of its own POST.
std::vector<raft::Message> PeerSender::TakeBatch() {
  std::vector<raft::Message> batch;
  if (queue_.front().type == raft::MessageType::kSnap) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
    return batch;
  }
  size_t bytes = 0;
  while (!queue_.empty() && queue_.front().type != raft::MessageType::kSnap && bytes < kMaxBatchBytes) {
    bytes += ApproxSize(queue_.front());
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

// Tries every URL once, starting with the one that worked last.
PeerSender::PostResult PeerSender::Post(const std::string& body, bool snapshot) {
  std::vector<std::string> urls;
  {
    std::lock_guard<std::mutex> lock(mu_);
    urls = urls_;
  }
  for (size_t i = 0; i < urls.size(); ++i) {
    size_t index = (url_index_ + i) % urls.size();
    PostResult result = PostTo(urls[index], body, snapshot);
    if (result == PostResult::kOk) url_index_ = index;
    if (result != PostResult::kFailed) return result;
  }
  return PostResult::kFailed;
}

PeerSender::PostResult PeerSender::PostTo(const std::string& url, const std::string& body, bool snapshot) {
  if (!client_ || client_url_ != url) {
    client_ = std::make_unique<httplib::Client>(url);
    client_url_ = url;
    client_->set_tcp_nodelay(true);
    client_->set_keep_alive(true);
    client_->set_connection_timeout(kConnectTimeout);
  }
  if (!client_->is_valid()) return PostResult::kFailed;
  auto io_timeout = snapshot ? kSnapshotIoTimeout : kIoTimeout;
  client_->set_read_timeout(io_timeout);
  client_->set_write_timeout(io_timeout);
  httplib::Headers headers = {{"X-Etcd-Cluster-Id", common::FormatId(id_.cluster_id)},
                              {"X-Server-From", common::FormatId(id_.local_id)}};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return PostResult::kFailed;
    in_flight_ = client_.get();
  }
  httplib::Result res = client_->Post("/raft", headers, body, "application/octet-stream");
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ = nullptr;
  }
  if (!res) {
    KV_LOG(kDebug, "rafthttp") << "failed to POST to " << url << ": " << httplib::to_string(res.error());
    return PostResult::kFailed;
  }
  if (res->status == 410) return PostResult::kRemoved;
  if (res->status / 100 != 2) {
    KV_LOG(kDebug, "rafthttp") << "POST to " << url << " answered " << res->status << ": " << res->body;
    return PostResult::kFailed;
  }
  return PostResult::kOk;
}

void PeerSender::Finish(const std::vector<raft::Message>& batch, PostResult result,
                        Clock::duration took) {
  bool snapshot = false;
  size_t appends = 0;
  for (const raft::Message& m : batch) {
    snapshot = snapshot || m.type == raft::MessageType::kSnap;
    if (m.type == raft::MessageType::kApp) ++appends;
  }
  double ms = std::chrono::duration<double, std::milli>(took).count();
  bool ok = result == PostResult::kOk;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;  // the owner is tearing down: no more callbacks
    for (size_t i = 0; i < appends; ++i) {
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
  if (result == PostResult::kRemoved) {
    KV_LOG(kError, "rafthttp") << "peer " << common::FormatId(id_.peer_id)
                               << " says this member was removed from the cluster";
    if (callbacks_.on_removed) callbacks_.on_removed(id_.peer_id);
  }
  if (!ok && callbacks_.on_unreachable) callbacks_.on_unreachable(id_.peer_id);
  if (snapshot && callbacks_.on_snapshot_status) callbacks_.on_snapshot_status(id_.peer_id, !ok);
}

}  // namespace transport
