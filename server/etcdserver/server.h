// EtcdServer: one member of a kvraft cluster. Every write takes one path:
// propose to raft, persist, replicate, and apply the committed entry to the
// store on every member; the proposer answers from its own apply result.
//
// One loop thread owns the raft node, the raft log and all writes to the
// store. It runs, in order: queued tasks (proposals, peer messages, done
// log writes), the tick, then the writes of this turn as one proposal,
// then each Ready: send -> queue its log write -> apply what was committed
// -> serve reads -> Advance. The log writer's thread makes the writes
// durable meanwhile; once one is, that thread sends what had to wait for
// it (acks, votes) and the loop lets a leader count itself for its entries.
// Leader duties (TTL expiry by a replicated SYNC entry every 500 ms, the
// cluster version) run in the loop.
//
// Bounds: at most kMaxPendingRequests client requests wait at once (more
// fail at once with "etcdserver: too many requests"), and peer batches wait
// for the loop up to kMaxQueuedPeerBatches, taken while less than
// kMaxQueuedPeerBytes wait (more are answered 503; raft sends again as for a
// lost message). Internal work (log
// writes done, reports) is never refused.
//
// Threads: Propose, ProposeConfChange, Stop and the accessors are safe from
// any thread; callbacks run on the loop thread and must not block.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log_limiter.h"
#include "common/status.h"
#include "server/etcdserver/apply.h"
#include "server/etcdserver/commit_notices.h"
#include "server/etcdserver/conf_change.h"
#include "server/etcdserver/membership.h"
#include "server/etcdserver/raft_log.h"
#include "server/etcdserver/request.h"
#include "server/raft/raw_node.h"
#include "server/storage/sqlite_storage.h"
#include "server/store/store.h"
#include "server/transport/transport.h"

namespace etcdserver {

struct ServerConfig {
  std::string name;
  std::string data_dir;
  uint64_t member_id = 0;
  uint64_t cluster_id = 0;
  std::string cluster_token;
  std::vector<std::string> peer_urls;     // this member's advertised peer URLs ({}: not checked on restart)
  std::vector<std::string> client_urls;   // this member's advertised client URLs
  // A new cluster bootstraps with these members (id -> peer URLs); a member
  // joining an existing cluster lists the peers it can reach.
  std::map<uint64_t, std::vector<std::string>> initial_members;
  bool new_cluster = true;
  uint64_t snapshot_count = 100000;
  uint64_t snapshot_catchup_entries = 5000;  // kept after a snapshot for slow followers
  std::chrono::milliseconds heartbeat{100};
  std::chrono::milliseconds election{1000};
  std::chrono::milliseconds sync_interval{500};
  bool pre_vote = true;
  bool strict_reconfig_check = true;  // refuse member changes that risk the quorum
  // Called (once, on the loop thread) when this member learns it was removed
  // (ten heartbeats after applying its own removal, so its answer gets out).
  std::function<void()> on_removed;
  // Called (once, on the loop thread) when the loop ends on an error it
  // cannot go on from (the raft log cannot be written); every request
  // fails from then on.
  std::function<void()> on_halted;
};

// What a proposer gets back: the applied result and the log position.
struct Response {
  ApplyResult result;
  uint64_t raft_index = 0;  // commit index when answered
  uint64_t raft_term = 0;
};
using Callback = std::function<void(Response)>;
using StatusCallback = std::function<void(common::Status)>;

// What /v2/stats/self and /v2/stats/leader show.
struct SelfStats {
  bool leader = false;
  uint64_t leader_id = 0;
  std::chrono::system_clock::time_point leader_since;
  uint64_t recv_append = 0;
  uint64_t send_append = 0;
};

class EtcdServer {
 public:
  static constexpr size_t kMaxPendingRequests = 16384;
  static constexpr size_t kMaxQueuedPeerBatches = 1024;
  static constexpr uint64_t kMaxQueuedPeerBytes = 128 << 20;

  EtcdServer(ServerConfig config, store::Store& store, storage::SqliteStorage& storage);
  ~EtcdServer();
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  // Checks the data dir belongs to this member, recovers (snapshot plus the
  // log after it) or bootstraps, and starts the loop and the transport.
  // Publishing this member's attributes happens in the background.
  common::Status Start();
  // Waits (bounded) until this member's attributes are applied; for tests
  // and for single-member start-up.
  bool WaitPublished(std::chrono::milliseconds timeout);
  // Hands leadership to a follower when leading a multi-member cluster
  // (bounded wait), fails what is queued with "server stopped", joins.
  // Not from a callback (the loop thread); not concurrently with Start.
  void Stop();

  // A v2 request. Writes go through the log; GET (quorum) is served after a
  // read index round, linearizably. `done` runs on the loop thread.
  // `timeout` bounds the wait (default: 5 s + 2 election timeouts, as etcd).
  void Propose(Request request, Callback done, std::chrono::milliseconds timeout = {});
  // A membership change; `done` gets OK once applied, or the reason.
  void ProposeConfChange(raft::ConfChangeType type, uint64_t member_id,
                         std::vector<std::string> peer_urls, StatusCallback done);

  transport::Transport& transport() { return *transport_; }
  uint64_t member_id() const { return config_.member_id; }
  uint64_t cluster_id() const { return config_.cluster_id; }
  const ServerConfig& config() const { return config_; }
  uint64_t commit_index() const { return commit_index_.load(); }
  uint64_t term() const { return term_.load(); }
  uint64_t leader_id() const { return leader_id_.load(); }  // 0: none known
  std::chrono::system_clock::time_point start_time() const { return start_time_; }
  SelfStats self_stats();

 private:
  using steady_clock_point = std::chrono::steady_clock::time_point;
  // How long a leader holds a commit-only append (see CommitNotices): about
  // a client's round trip under load.
  static constexpr std::chrono::microseconds kCommitNoticeHold{1000};
  struct Waiter {
    Callback done;
    StatusCallback conf_done;
    std::chrono::steady_clock::time_point deadline;
  };
  struct PendingRead {
    Request request;
    Callback done;
    std::chrono::steady_clock::time_point deadline;
  };
  struct ReadBatch {
    uint64_t index = 0;  // 0 until the read state arrives
    std::vector<PendingRead> reads;
  };

  common::Status CheckIdentity();
  common::Status Recover(bool* fresh);
  void Post(std::function<void()> task);
  // A batch from a peer that passed the transport's checks (on a peer I/O
  // thread, or the snapshot inbox's for a complete upload): snapshots are
  // checked here (CheckSnapshot), then the batch is queued for the loop
  // within the peer queue's bounds.
  common::Status Receive(std::vector<raft::Message> msgs);
  void StepPeerMessages(const std::vector<raft::Message>& msgs);
  // Counts a client request until its callback runs; false (and nothing
  // counted) when kMaxPendingRequests are waiting already.
  bool AdmitRequest();
  void Run();
  void Tick();
  void ProcessReady();
  void Apply(const raft::Entry& entry);  // one committed entry; advances applied_
  void ApplyEntry(const raft::Entry& entry);
  void ApplyConfChangeEntry(const raft::Entry& entry);
  void RestoreSnapshot(const raft::Snapshot& snap);
  void MaybeSnapshot();
  void OnLeaderChange(uint64_t lead, bool leader);
  void LeaderDuties();
  void ProposeNow(Request request, Callback done, steady_clock_point deadline);
  void FlushProposals();
  void RetryUnproposed();
  void StartReadRound();
  void ServeReads();
  void ExpireWaiters();
  void RefreshPeers();
  void Fail(const Callback& done, const std::string& cause);
  void TransferLeadershipBeforeStop();
  void Halt(const std::string& reason);

  const ServerConfig config_;
  store::Store& store_;
  storage::SqliteStorage& storage_;
  const std::chrono::system_clock::time_point start_time_;
  const std::chrono::milliseconds request_timeout_;

  std::mutex stop_mu_;  // serializes Stop
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::function<void()>> tasks_;  // guarded by mu_
  size_t queued_peer_batches_ = 0;            // guarded by mu_: in tasks_
  uint64_t queued_peer_bytes_ = 0;            // guarded by mu_: in tasks_
  bool stopping_ = false;                     // guarded by mu_
  bool stopped_ = false;                      // guarded by mu_
  std::thread loop_;

  // Loop thread only (and Start before the loop runs).
  RaftLog log_;
  raft::Rng rng_;
  std::unique_ptr<raft::RawNode> node_;
  std::unique_ptr<transport::Transport> transport_;
  CommitNotices commit_notices_{kCommitNoticeHold};
  uint64_t applied_ = 0;
  std::unordered_map<uint64_t, Waiter> waiters_;
  std::vector<Request> to_propose_;  // writes of this loop turn, proposed together
  std::deque<Request> unproposed_;   // waiting for a leader
  bool leader_appeared_ = false;     // a leader became known: retry unproposed_ now
  std::deque<steady_clock_point> leader_writes_;  // when each write of entries as leader, not yet durable, began
  std::vector<PendingRead> reads_waiting_;               // not yet in a read round
  std::map<std::string, ReadBatch> read_rounds_;         // by read-index context
  uint64_t next_read_ctx_ = 1;
  bool published_ = false;
  bool publish_in_flight_ = false;
  bool halted_ = false;  // a fatal error: the loop ends
  std::optional<std::chrono::steady_clock::time_point> removal_notice_at_;  // on_removed due
  std::chrono::steady_clock::time_point next_sync_;
  std::chrono::steady_clock::time_point next_tick_;

  std::atomic<uint64_t> commit_index_{0};
  std::atomic<uint64_t> term_{0};
  std::atomic<uint64_t> leader_id_{0};
  std::atomic<bool> is_leader_{false};
  std::atomic<bool> published_flag_{false};
  std::atomic<bool> removed_{false};  // written by the loop only
  std::atomic<uint64_t> next_request_id_;
  std::atomic<size_t> pending_requests_{0};  // admitted, callback not yet run
  common::LogLimiter refusal_log_{10, std::chrono::seconds(1)};  // peer messages raft refused
  std::mutex stats_mu_;
  std::chrono::system_clock::time_point leader_since_;  // guarded by stats_mu_
};

}  // namespace etcdserver
