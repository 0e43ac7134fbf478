// EtcdServer: the one path every write takes, "propose, then apply the
// committed entry". A single loop thread owns the log: it takes a batch of
// proposals, makes them durable in one SQLite transaction (group commit),
// applies them in log order to the store and completes each proposer's
// callback with the store's answer. A member's leader duties (TTL expiry
// through a replicated SYNC entry every 500 ms) run in the same loop.
//
// Threads: Propose and the accessors are safe from any thread; callbacks run
// on the loop thread and must not block. Raft replication slots in under this
// interface (the loop then drives a raft node instead of appending directly).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "server/etcdserver/apply.h"
#include "server/etcdserver/membership.h"
#include "server/etcdserver/request.h"
#include "server/storage/sqlite_storage.h"
#include "server/store/store.h"

namespace etcdserver {

struct ServerConfig {
  std::string name;
  std::string data_dir;
  uint64_t member_id = 0;
  uint64_t cluster_id = 0;
  std::string cluster_token;
  std::vector<std::string> peer_urls;     // this member's advertised peer URLs
  std::vector<std::string> client_urls;   // this member's advertised client URLs
  uint64_t snapshot_count = 100000;
  std::chrono::milliseconds sync_interval{500};
};

// What a proposer gets back: the applied result and the log position.
struct Response {
  ApplyResult result;
  uint64_t raft_index = 0;  // commit index when answered
  uint64_t raft_term = 0;
};
using Callback = std::function<void(Response)>;

class EtcdServer {
 public:
  EtcdServer(ServerConfig config, store::Store& store, storage::SqliteStorage& storage);
  ~EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  // Checks the data dir belongs to this member, recovers the store (snapshot
  // plus the log after it), bootstraps a new member, starts the loop and
  // publishes this member's attributes. Errors are clear one-line reasons.
  common::Status Start();
  // Fails queued proposals with "server stopped" and joins the loop.
  void Stop();

  // Queues a request for the log. `done` runs on the loop thread once the
  // entry is applied (or failed). The request's id is assigned here.
  void Propose(Request request, Callback done);

  uint64_t member_id() const { return config_.member_id; }
  uint64_t cluster_id() const { return config_.cluster_id; }
  const ServerConfig& config() const { return config_; }
  uint64_t commit_index() const { return commit_index_.load(); }
  uint64_t term() const { return term_.load(); }
  // 0 when no leader is known.
  uint64_t leader_id() const { return leader_id_.load(); }
  std::chrono::system_clock::time_point start_time() const { return start_time_; }
  std::chrono::system_clock::time_point leader_since() const { return leader_since_; }

 private:
  struct Proposal {
    Request request;
    Callback done;
  };

  common::Status CheckIdentity();
  common::Status Recover();
  common::Status Bootstrap();
  common::Status AppendAndApply(std::vector<Proposal>& batch, std::vector<storage::LogEntry>& extra);
  void ApplyEntry(const storage::LogEntry& entry, Response* response);
  common::Status MaybeSnapshot();
  void Run();
  void FailAll(std::vector<Proposal>& batch, const std::string& cause);

  const ServerConfig config_;
  store::Store& store_;
  storage::SqliteStorage& storage_;
  const std::chrono::system_clock::time_point start_time_;
  std::chrono::system_clock::time_point leader_since_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Proposal> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread loop_;

  // Owned by the loop thread (and Start before it runs).
  uint64_t last_index_ = 0;
  uint64_t snapshot_index_ = 0;

  std::atomic<uint64_t> commit_index_{0};
  std::atomic<uint64_t> term_{0};
  std::atomic<uint64_t> leader_id_{0};
  std::atomic<uint64_t> next_request_id_{1};
};

}  // namespace etcdserver
