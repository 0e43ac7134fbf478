#include "server/api/snapshot_service.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "common/member_id.h"
#include "common/snapshot_file.h"
#include "common/thread_name.h"
#include "common/time_format.h"
#include "server/api/responses.h"
#include "server/storage/db_copy.h"

namespace api {
namespace {

using common::Status;
using std::chrono::steady_clock;

constexpr size_t kPieceBytes = 1 << 20;
// A snapshot cut just before a member snapshot of its own may find the copy
// compacted past its point; it is cut again.
constexpr int kCutAttempts = 3;
// A client that reads nothing for this long loses its transfer (and the slot).
constexpr std::chrono::seconds kStallLimit{60};

// One stream to one client, owned by the worker (Worker::active) so that a
// client who stops reading or leaves can be dropped. Its end deletes the
// copy and frees the endpoint; dropping the exchange unfinished cuts the
// stream, so the client's checksum check refuses what it got.
struct Transfer {
  std::shared_ptr<http::Exchange> ex;
  std::shared_ptr<std::atomic<bool>> busy;
  std::string path;
  std::ifstream in;
  uint64_t left = 0;
  std::string remote;
  steady_clock::time_point progress = steady_clock::now();

  ~Transfer() {
    in.close();
    std::remove(path.c_str());
    busy->store(false);
  }
};

}  // namespace

// Runs tasks in order on one thread and watches the transfer in progress;
// tasks posted after Stop are dropped (with whatever they hold).
struct SnapshotService::Worker {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> tasks;
  bool stopping = false;
  std::thread thread;
  std::shared_ptr<Transfer> active;  // worker thread only

  void Post(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mu);
    if (stopping) return;
    tasks.push_back(std::move(task));
    cv.notify_one();
  }

  void Run() {
    common::SetThreadName("snapshot");
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      cv.wait_for(lock, std::chrono::seconds(1), [this] { return stopping || !tasks.empty(); });
      if (stopping) break;
      std::function<void()> task;
      if (!tasks.empty()) {
        task = std::move(tasks.front());
        tasks.pop_front();
      }
      lock.unlock();
      if (task) task();
      task = nullptr;  // what it held goes on this thread
      if (active && steady_clock::now() - active->progress > kStallLimit) {
        KV_LOG(kWarn, "snapshot") << active->remote << " read nothing for " << kStallLimit.count()
                                  << " s; its snapshot transfer is cut off";
        active.reset();
      }
      lock.lock();
    }
    auto dropped = std::move(tasks);
    tasks.clear();
    lock.unlock();
    active.reset();
  }

  // Writes the next piece of the active transfer, or ends it; the next call
  // comes once the piece is sent.
  void SendNext(const std::shared_ptr<Worker>& self) {
    Transfer& t = *active;
    t.progress = steady_clock::now();
    if (t.left == 0) {
      t.ex->End();
      KV_LOG(kInfo, "snapshot") << "sent a snapshot to " << t.remote;
      active.reset();
      return;
    }
    std::string piece(std::min<uint64_t>(t.left, kPieceBytes), '\0');
    t.in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    if (t.in.gcount() != static_cast<std::streamsize>(piece.size())) {
      KV_LOG(kError, "snapshot") << "cannot read the copy " << t.path << "; the transfer to " << t.remote
                                 << " is cut off";
      active.reset();
      return;
    }
    t.left -= piece.size();
    t.ex->Write(std::move(piece));
    std::weak_ptr<Worker> worker = self;
    std::weak_ptr<Transfer> which = active;
    t.ex->WhenSent([worker, which] {
      if (auto w = worker.lock()) {
        w->Post([w, which] {
          if (w->active && w->active == which.lock()) w->SendNext(w);
        });
      }
    });
  }
};

SnapshotService::SnapshotService(etcdserver::EtcdServer& server, std::string data_dir, bool enabled)
    : server_(server),
      copy_path_(data_dir + "/member/snapshot.tmp"),
      enabled_(enabled),
      busy_(std::make_shared<std::atomic<bool>>(false)),
      worker_(std::make_shared<Worker>()) {
  std::remove(copy_path_.c_str());  // left by a member that was killed while sending one
  worker_->thread = std::thread([w = worker_.get()] { w->Run(); });
}

SnapshotService::~SnapshotService() {
  {
    std::lock_guard<std::mutex> lock(worker_->mu);
    worker_->stopping = true;
  }
  worker_->cv.notify_all();
  worker_->thread.join();
}

void SnapshotService::Handle(const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  if (req.method != "GET") return ex->Reply(MethodNotAllowed("GET"));
  if (!enabled_) {
    return ex->Reply(http::TextError(403, "the snapshot endpoint is off on this member (--enable-snapshot-endpoint)"));
  }
  if (busy_->exchange(true)) {
    return ex->Reply(http::TextError(503, "a snapshot is being taken on this member already; try again later"));
  }
  KV_LOG(kInfo, "snapshot") << "taking a snapshot for " << req.remote_addr;
  Cut(ex, req.remote_addr, kCutAttempts);
}

void SnapshotService::Cut(std::shared_ptr<http::Exchange> ex, std::string remote, int attempts_left) {
  auto busy = busy_;
  auto fail = [busy](const std::shared_ptr<http::Exchange>& ex, int status, const std::string& why) {
    KV_LOG(kWarn, "snapshot") << "no snapshot: " << why;
    ex->Reply(http::TextError(status, why));
    busy->store(false);
  };
  std::weak_ptr<Worker> worker = worker_;
  server_.TakeSnapshotPoint([this, ex, remote, attempts_left, worker, fail](
                                common::Result<etcdserver::SnapshotPoint> p) {
    auto w = worker.lock();
    if (!w) return;
    if (!p.ok()) return fail(ex, 503, "cannot cut a consistent snapshot: " + p.status().message());
    // The service outlives every task its worker runs (its destructor joins).
    w->Post([this, w, ex, remote, attempts_left, fail, point = *p] {
      auto span = storage::CopyDatabase(server_.config().data_dir + "/member/kvraft.db", copy_path_);
      if (!span.ok()) {
        std::remove(copy_path_.c_str());
        return fail(ex, 500, "cannot copy the member's database: " + span.status().message());
      }
      if (span->snapshot_index > point.raft_index || span->last_index < point.raft_index) {
        std::remove(copy_path_.c_str());
        if (attempts_left > 1) return Cut(ex, remote, attempts_left - 1);
        return fail(ex, 503, "the log moved past the cut three times; try again");
      }
      auto t = std::make_shared<Transfer>();
      t->busy = busy_;
      t->path = copy_path_;
      t->remote = remote;
      common::SnapshotHeader h;
      h.cluster_id = server_.cluster_id();
      h.member_id = server_.member_id();
      h.raft_index = point.raft_index;
      h.raft_term = point.raft_term;
      h.store_index = point.store_index;
      h.taken_unix_ns = common::UnixNowNs();
      t->in.open(copy_path_, std::ios::binary | std::ios::ate);
      h.payload_bytes = t->in ? static_cast<uint64_t>(t->in.tellg()) : 0;
      t->in.seekg(0);
      auto sum = common::SnapshotChecksum(h, copy_path_, 0);
      if (!t->in || !sum.ok()) return fail(ex, 500, "cannot read the copy of the database");
      h.sha256 = *sum;
      t->left = h.payload_bytes;
      t->ex = ex;
      KV_LOG(kInfo, "snapshot") << "cut a snapshot at index " << h.store_index << " (raft index " << h.raft_index
                                << "), " << h.payload_bytes << " bytes";
      ex->StartStream(200, {{"Content-Type", "application/octet-stream"},
                            {"X-Etcd-Cluster-Id", common::FormatId(h.cluster_id)},
                            {"X-Etcd-Index", std::to_string(h.store_index)},
                            {"X-Raft-Index", std::to_string(h.raft_index)},
                            {"X-Raft-Term", std::to_string(h.raft_term)}});
      ex->Write(common::EncodeSnapshotHeader(h));
      std::weak_ptr<Worker> weak = w;
      std::weak_ptr<Transfer> which = t;
      ex->OnClientGone([weak, which] {
        if (auto w = weak.lock()) {
          w->Post([w, which] {
            if (w->active && w->active == which.lock()) w->active.reset();
          });
        }
      });
      w->active = std::move(t);
      w->SendNext(w);
    });
  });
}

}  // namespace api
