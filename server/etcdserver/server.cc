#include "server/etcdserver/server.h"

#include <algorithm>
#include <thread>

#include "common/log.h"
#include "common/member_id.h"
#include "common/thread_name.h"
#include "common/time_format.h"
#include "common/version.h"
#include "server/etcdserver/milestones.h"
#include "server/etcdserver/snapshot_check.h"
#include "server/etcdserver/standalone.h"

namespace etcdserver {
namespace {

using common::Status;
using std::chrono::steady_clock;
using std::chrono::system_clock;

constexpr const char* kTimedOut = "etcdserver: request timed out";
constexpr const char* kTooManyRequests = "etcdserver: too many requests";
constexpr const char* kStopped = "etcdserver: server stopped";
// How long new writes may wait for the leader's own write (see FlushProposals);
// a healthy fsync here takes well under a millisecond.
constexpr std::chrono::milliseconds kMaxGather{2};

// What a batch of peer messages holds in memory, about.
uint64_t ApproxBytes(const std::vector<raft::Message>& msgs) {
  uint64_t n = 0;
  for (const raft::Message& m : msgs) {
    n += sizeof m + m.snapshot.data.size() + m.context.size();
    for (const raft::Entry& e : m.entries) n += sizeof e + e.data.size();
  }
  return n;
}

// Request ids are unique cluster-wide: the member's low 16 bits, then a
// counter seeded from the clock so a restarted member does not reuse ids.
uint64_t FirstRequestId(uint64_t member_id) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                system_clock::now().time_since_epoch()).count();
  return ((member_id & 0xffff) << 48) | ((static_cast<uint64_t>(ms) << 8) & 0xffffffffffffULL);
}

}  // namespace

EtcdServer::EtcdServer(ServerConfig config, store::Store& store, storage::SqliteStorage& storage)
    : config_(std::move(config)),
      store_(store),
      storage_(storage),
      start_time_(system_clock::now()),
      request_timeout_(std::chrono::milliseconds(5000) + 2 * config_.election),
      log_(storage),
      rng_(config_.member_id ^ static_cast<uint64_t>(start_time_.time_since_epoch().count())),
      next_request_id_(FirstRequestId(config_.member_id)) {
  store_.SetEventClock(common::UnixNowNs);
}

EtcdServer::~EtcdServer() { Stop(); }

Status EtcdServer::Start() {
  bool fresh = false;
  Status s = Recover(&fresh);
  if (!s.ok()) return s;
  if (fresh) {
    s = storage_.SetMeta({{"member_id", common::FormatId(config_.member_id)},
                          {"cluster_id", common::FormatId(config_.cluster_id)},
                          {"name", config_.name},
                          {"token", config_.cluster_token}});
    if (!s.ok()) return s;
  }

  transport::Callbacks callbacks;
  callbacks.on_receive = [this](std::vector<raft::Message> msgs) { return Receive(std::move(msgs)); };
  callbacks.on_unreachable = [this](uint64_t peer) { Post([this, peer] { node_->ReportUnreachable(peer); }); };
  callbacks.on_snapshot_status = [this](uint64_t peer, bool failed) {
    Post([this, peer, failed] { node_->ReportSnapshot(peer, failed); });
  };
  callbacks.on_removed = [this](uint64_t) {
    Post([this] {
      if (removed_) return;
      KV_LOG(kWarn, "etcdserver") << "a peer says this member was removed from the cluster; stopping";
      milestones::RemovedFromCluster();
      removed_ = true;
      if (config_.on_removed) config_.on_removed();
    });
  };
  transport_ = std::make_unique<transport::Transport>(config_.member_id, config_.cluster_id, callbacks,
                                                      config_.data_dir + "/member/snap.tmp");

  raft::Config rc;
  rc.id = config_.member_id;
  rc.heartbeat_ticks = 1;
  rc.election_ticks = std::max<int>(2, static_cast<int>(config_.election / config_.heartbeat));
  rc.storage = &log_.storage();
  rc.rng = &rng_;
  rc.applied = applied_;
  rc.check_quorum = true;
  rc.pre_vote = config_.pre_vote;
  s = rc.Validate();
  if (!s.ok()) return s;
  const bool force = !fresh && config_.force_new_cluster;
  if (fresh) {
    milestones::StartingMember(config_.member_id, config_.cluster_id);
  } else if (!force) {
    auto initial = log_.storage().InitialState();
    milestones::RestartingMember(config_.member_id, config_.cluster_id,
                                 initial.ok() ? initial->hard_state.commit : 0);
  }
  if (force) log_.CommitAll();
  node_ = std::make_unique<raft::RawNode>(rc);
  if (fresh && config_.new_cluster) {
    std::vector<raft::ConfChange> peers;
    for (const auto& [id, urls] : config_.initial_members) {
      peers.push_back(raft::ConfChange{raft::ConfChangeType::kAddNode, id, ConfChangeContext{0, urls}.Encode()});
    }
    s = node_->Bootstrap(peers);
    if (!s.ok()) return s;
  }
  // Persist the bootstrap entries, replay the committed log into the store.
  while (node_->HasReady() && !halted_) ProcessReady();
  if (halted_) return Status::Corruption("data dir " + config_.data_dir + ": cannot replay the raft log");
  s = log_.Drain();
  if (!s.ok()) return s;
  if (force) {
    s = ForceNewCluster(rc);
    if (!s.ok()) return s;
  } else if (!fresh) {
    s = CheckIdentity();
    if (!s.ok()) return s;
  }
  RefreshPeers();
  auto voters = node_->raft().conf_state().voters;
  if (voters.size() == 1 && voters[0] == config_.member_id) node_->Campaign();
  next_tick_ = steady_clock::now() + config_.heartbeat;
  next_sync_ = steady_clock::now() + config_.sync_interval;
  // Logged before the loop runs: applied_ is the loop's from then on.
  milestones::StartingServer(cluster_version_);
  KV_LOG(kInfo, "etcdserver") << (fresh ? "started new member " : "restarted member ")
                              << common::FormatId(config_.member_id) << " of cluster "
                              << common::FormatId(config_.cluster_id) << " at applied index " << applied_
                              << ", store index " << store_.Index();
  loop_ = std::thread([this] {
    common::SetThreadName("raft-loop");
    Run();
  });
  return Status::OK();
}

Status EtcdServer::Recover(bool* fresh) {
  auto stored_snapshot = storage_.LoadSnapshot();
  if (!stored_snapshot.ok()) {
    const Status& st = stored_snapshot.status();
    return Status(st.code(), "data dir " + config_.data_dir + ": " + st.message());
  }
  *fresh = log_.Empty() && !stored_snapshot->has_value();
  if (*fresh) return Status::OK();
  auto snap = log_.Restore();
  if (!snap.ok()) return Status::Corruption("data dir " + config_.data_dir + ": " + snap.status().message());
  if (!snap->IsEmpty()) {
    Status s = store_.Recover(snap->data);
    if (!s.ok()) return Status::Corruption("data dir " + config_.data_dir + ": snapshot: " + s.message());
    applied_ = snap->metadata.index;
    NoteClusterVersion(true);
  }
  return Status::OK();
}

// A data dir names its member: refuse one that was made for another member
// rather than serve (or overwrite) someone else's data.
Status EtcdServer::CheckIdentity() {
  const auto& meta = storage_.meta();
  auto get = [&](const char* k) {
    auto it = meta.find(k);
    return it == meta.end() ? std::string() : it->second;
  };
  const std::string where = "data dir " + config_.data_dir + " belongs to member " + get("name") +
                            " (" + get("member_id") + ") of cluster " + get("cluster_id");
  if (get("name") != config_.name) {
    return Status::InvalidArgument(where + ", but this member is named " + config_.name);
  }
  if (get("token") != config_.cluster_token) {
    return Status::InvalidArgument(where + " (token " + get("token") +
                                   "), but --initial-cluster-token is " + config_.cluster_token);
  }
  uint64_t stored_id = std::strtoull(get("member_id").c_str(), nullptr, 16);
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  for (const Member& m : ReadMembers(store_)) {
    if (m.id == stored_id && !config_.peer_urls.empty() && sorted(m.peer_urls) != sorted(config_.peer_urls)) {
      std::string have;
      for (const auto& u : m.peer_urls) have += (have.empty() ? "" : ",") + u;
      return Status::InvalidArgument(where + " with peer URLs " + have +
                                     ", which do not match --initial-advertise-peer-urls");
    }
  }
  return Status::OK();
}

// Called with the whole log applied (CommitAll). A snapshot of that state
// holds the membership the node starts from; the conf changes go into the
// log after it as committed entries, applied by a node made anew as on a
// restart. The data dir then names this member under the flags' name and
// token, and is no longer a backup.
Status EtcdServer::ForceNewCluster(const raft::Config& rc) {
  const raft::ConfState cs = node_->raft().conf_state();
  auto changes = StandaloneChanges(cs.voters, ReadMembers(store_), config_.member_id, config_.peer_urls);
  KV_LOG(kInfo, "etcdserver") << "forcing restart of member " << common::FormatId(config_.member_id)
                              << " in cluster " << common::FormatId(config_.cluster_id) << " at commit index "
                              << applied_;
  Status s;
  if (applied_ > log_.snapshot_index()) {
    s = log_.Snapshot(applied_, cs, store_.Save(), config_.snapshot_catchup_entries, [](const Status&) {});
    if (s.ok()) s = log_.Drain();
  }
  if (s.ok()) s = log_.AppendCommitted(ConfChangeEntries(changes, node_->raft().term(), applied_ + 1));
  if (!s.ok()) return Status(s.code(), "data dir " + config_.data_dir + ": " + s.message());
  raft::Config fresh_rc = rc;
  fresh_rc.applied = applied_;
  node_ = std::make_unique<raft::RawNode>(fresh_rc);
  while (node_->HasReady() && !halted_) ProcessReady();
  if (halted_) return Status::Corruption("data dir " + config_.data_dir + ": cannot replay the raft log");
  auto voters = node_->raft().conf_state().voters;
  if (voters != std::vector<uint64_t>{config_.member_id}) {
    return Status::InvalidArgument("--force-new-cluster: member " + common::FormatId(config_.member_id) +
                                   " could not be made the only member (was it removed from its cluster?)");
  }
  auto meta = storage_.meta();
  meta["name"] = config_.name;
  meta["token"] = config_.cluster_token;
  if (meta.count("backup_of")) meta["backup_of"] = "";
  return storage_.SetMeta(meta);
}

bool EtcdServer::WaitPublished(std::chrono::milliseconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  while (!published_flag_.load()) {
    if (steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void EtcdServer::Stop() {
  // Serialized, so a second Stop returns only once the loop has ended; the
  // loop may have ended on its own already (Halt), and must still be joined.
  std::lock_guard<std::mutex> stop_lock(stop_mu_);
  const bool running = loop_.joinable();
  if (running) TransferLeadershipBeforeStop();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (!running) stopped_ = true;  // nobody will run posted tasks
  }
  cv_.notify_all();
  if (running) loop_.join();
  // The writer's callbacks post to this server: let them run out first.
  log_.Drain();
}

// A leader that stops hands over first, so the cluster does not wait an
// election timeout for a new one (etcd 3.4 does the same).
// The wait ends early when no follower is fit to take over or the loop has
// ended; a removed leader no longer replicates, so it does not try.
void EtcdServer::TransferLeadershipBeforeStop() {
  if (!is_leader_.load() || removed_.load()) return;
  auto no_target = std::make_shared<std::atomic<bool>>(false);
  Post([this, no_target] {
    // The most caught-up follower that still takes appends: one whose sends
    // failed lately is back in probe state, and may well be down.
    raft::NodeStatus st = node_->GetStatus();
    uint64_t best = 0;
    std::pair<bool, uint64_t> best_rank{false, 0};
    for (const auto& [id, pr] : st.progress) {
      std::pair<bool, uint64_t> rank{pr.state == raft::ProgressState::kReplicate, pr.match};
      if (id != config_.member_id && pr.recent_active && (best == 0 || rank > best_rank)) {
        best = id;
        best_rank = rank;
      }
    }
    if (best == 0) {
      if (st.progress.size() == 1) milestones::SingleMemberNoTransfer();
      *no_target = true;
      return;
    }
    milestones::LeadershipTransfer(config_.member_id, best);
    KV_LOG(kInfo, "etcdserver") << "stopping: transferring leadership to " << common::FormatId(best);
    node_->TransferLeadership(best);
  });
  auto deadline = steady_clock::now() + 2 * config_.election;
  while (is_leader_.load() && !no_target->load() && steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void EtcdServer::Post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

Status EtcdServer::Receive(std::vector<raft::Message> msgs) {
  for (const raft::Message& m : msgs) {
    if (m.type != raft::MessageType::kSnap) continue;
    Status s = CheckSnapshot(m.snapshot);
    if (!s.ok()) return Status::InvalidArgument("refused snapshot at index " + std::to_string(m.snapshot.metadata.index) + ": " + s.message());
  }
  uint64_t bytes = ApproxBytes(msgs);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return Status::Unavailable(kStopped);
    // A batch is queued while less than the bound waits, however large it
    // is: a snapshot is not refused for a heartbeat queued before it (its
    // whole upload would be sent again), and the queue still holds at most
    // the bound plus one batch.
    bool full = queued_peer_batches_ >= kMaxQueuedPeerBatches || queued_peer_bytes_ >= kMaxQueuedPeerBytes;
    if (full) return Status::Unavailable("too many raft messages queued");
    ++queued_peer_batches_;
    queued_peer_bytes_ += bytes;
    tasks_.push_back([this, bytes, msgs = std::move(msgs)] {
      {
        std::lock_guard<std::mutex> lock(mu_);
        --queued_peer_batches_;
        queued_peer_bytes_ -= bytes;
      }
      StepPeerMessages(msgs);
    });
  }
  cv_.notify_one();
  return Status::OK();
}

void EtcdServer::StepPeerMessages(const std::vector<raft::Message>& msgs) {
  commit_notices_.Received(msgs, steady_clock::now());
  for (const raft::Message& m : msgs) {
    Status s = node_->Step(m);
    // Refused as malformed or impossible in our state: say who sent it.
    uint64_t held_back = 0;
    if (s.code() != common::Code::kInvalidArgument || !refusal_log_.Allow(&held_back)) continue;
    KV_LOG(kWarn, "etcdserver") << "refused " << raft::MessageTypeName(m.type) << " from "
                                << common::FormatId(m.from) << ": " << s.message()
                                << (held_back > 0 ? " (" + std::to_string(held_back) + " more refusals not logged)" : "");
  }
}

bool EtcdServer::AdmitRequest() {
  if (pending_requests_.fetch_add(1) < kMaxPendingRequests) return true;
  pending_requests_.fetch_sub(1);
  return false;
}

void EtcdServer::Propose(Request request, Callback done, std::chrono::milliseconds timeout) {
  if (done) {
    if (!AdmitRequest()) return Fail(done, kTooManyRequests);
    done = [this, done = std::move(done)](Response r) {
      pending_requests_.fetch_sub(1);
      done(std::move(r));
    };
  }
  request.id = next_request_id_.fetch_add(1);
  auto deadline = steady_clock::now() + (timeout.count() > 0 ? timeout : request_timeout_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      tasks_.push_back([this, r = std::move(request), d = std::move(done), deadline]() mutable {
        ProposeNow(std::move(r), std::move(d), deadline);
      });
      cv_.notify_one();
      return;
    }
  }
  Fail(done, kStopped);
}

void EtcdServer::TakeSnapshotPoint(SnapshotPointCallback done) {
  Request barrier;  // a quorum read of a key that needs no permission
  barrier.method = "GET";
  barrier.path = kVersionPath;
  barrier.quorum = true;
  auto cb = std::make_shared<SnapshotPointCallback>(std::move(done));
  Propose(std::move(barrier), [this, cb](Response resp) {
    if (!resp.result.event && resp.result.error.code == store::kEcodeRaftInternal) {
      return (*cb)(Status::Unavailable(resp.result.error.cause));
    }
    // On the loop thread, between two applies: a consistent pair.
    auto term = log_.storage().Term(applied_);
    SnapshotPoint point{applied_, term.ok() ? *term : term_.load(), store_.Index()};
    // The writer's barrier: done once every entry up to the point is durable.
    Status s = log_.Persist(std::nullopt, {}, raft::Snapshot{}, [cb, point](const Status& st) {
      if (!st.ok()) return (*cb)(st);
      (*cb)(point);
    });
    if (!s.ok()) (*cb)(s);
  });
}

void EtcdServer::ProposeConfChange(raft::ConfChangeType type, uint64_t member_id,
                                   std::vector<std::string> peer_urls, StatusCallback done) {
  if (!AdmitRequest()) return done(Status::Unavailable(kTooManyRequests));
  done = [this, done = std::move(done)](Status s) {
    pending_requests_.fetch_sub(1);
    done(s);
  };
  uint64_t id = next_request_id_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      tasks_.push_back([this, id, type, member_id, urls = std::move(peer_urls), done]() {
        raft::ConfChange cc{type, member_id, ConfChangeContext{id, urls}.Encode()};
        Status s = node_->ProposeConfChange(cc);
        if (!s.ok()) return done(Status::Unavailable("etcdserver: " + s.message()));
        waiters_[id] = Waiter{nullptr, done, steady_clock::now() + request_timeout_};
      });
      cv_.notify_one();
      return;
    }
  }
  done(Status::Unavailable(kStopped));
}

void EtcdServer::Fail(const Callback& done, const std::string& cause) {
  Response resp;
  // Internal failures carry index 0, as etcd renders non-v2 errors.
  resp.result.error = store::V2Error{store::kEcodeRaftInternal, cause, 0};
  resp.raft_index = commit_index_.load();
  resp.raft_term = term_.load();
  done(std::move(resp));
}

void EtcdServer::ProposeNow(Request request, Callback done, steady_clock_point deadline) {
  if (request.method == "GET") {  // a quorum read
    reads_waiting_.push_back(PendingRead{std::move(request), std::move(done), deadline});
    StartReadRound();
    return;
  }
  if (done) waiters_[request.id] = Waiter{std::move(done), nullptr, deadline};
  to_propose_.push_back(std::move(request));
}

// The writes of one loop turn go to raft as one proposal: one append per
// follower rather than one per write. Without a leader they wait (until
// their deadlines) for one.
void EtcdServer::FlushProposals() {
  // While the leader's own write is in flight the writes of the next turns
  // gather into one proposal: one append and one fsync for all of them,
  // instead of a trickle of small ones that costs CPU per message. Not for
  // longer than kMaxGather: a leader whose disk is slow lets its followers
  // commit instead of holding every new write back.
  if (to_propose_.empty()) return;
  if (!leader_writes_.empty() && steady_clock::now() - leader_writes_.front() < kMaxGather) return;
  std::vector<std::string> data;
  data.reserve(to_propose_.size());
  for (const Request& r : to_propose_) data.push_back(r.Encode());
  if (!node_->ProposeBatch(std::move(data)).ok()) {
    for (Request& r : to_propose_) {
      if (waiters_.count(r.id)) unproposed_.push_back(std::move(r));
    }
  }
  to_propose_.clear();
}

void EtcdServer::RetryUnproposed() {
  leader_appeared_ = false;
  if (leader_id_.load() == 0 || unproposed_.empty()) return;
  for (Request& r : unproposed_) {
    if (waiters_.count(r.id)) to_propose_.push_back(std::move(r));  // else timed out meanwhile
  }
  unproposed_.clear();
  FlushProposals();
}

void EtcdServer::StartReadRound() {
  if (reads_waiting_.empty() || leader_id_.load() == 0) return;
  // The leader ignores a round whose context it already has pending, so the
  // context must be unique cluster-wide: a request id (a per-member counter
  // from 1 collided between members, and the later round timed out).
  std::string ctx = std::to_string(next_request_id_.fetch_add(1));
  if (!node_->ReadIndex(ctx).ok()) return;  // retried on the next tick
  read_rounds_[ctx].reads = std::move(reads_waiting_);
  reads_waiting_.clear();
}

void EtcdServer::ServeReads() {
  for (auto it = read_rounds_.begin(); it != read_rounds_.end();) {
    ReadBatch& batch = it->second;
    if (batch.index == 0 || batch.index > applied_) {
      ++it;
      continue;
    }
    for (PendingRead& read : batch.reads) {
      auto ev = store_.Get(read.request.path, read.request.recursive, read.request.sorted);
      Response resp;
      if (ev.ok()) resp.result.event = std::move(ev.value());
      else resp.result.error = ev.error();
      resp.raft_index = commit_index_.load();
      resp.raft_term = term_.load();
      read.done(std::move(resp));
    }
    it = read_rounds_.erase(it);
  }
}

void EtcdServer::ExpireWaiters() {
  auto now = steady_clock::now();
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    if (it->second.done) Fail(it->second.done, kTimedOut);
    if (it->second.conf_done) it->second.conf_done(Status::Timeout(kTimedOut));
    it = waiters_.erase(it);
  }
  auto expired = [&](const PendingRead& r) {
    if (r.deadline > now) return false;
    Fail(r.done, kTimedOut);
    return true;
  };
  reads_waiting_.erase(std::remove_if(reads_waiting_.begin(), reads_waiting_.end(), expired),
                       reads_waiting_.end());
  for (auto it = read_rounds_.begin(); it != read_rounds_.end();) {
    auto& reads = it->second.reads;
    reads.erase(std::remove_if(reads.begin(), reads.end(), expired), reads.end());
    it = reads.empty() ? read_rounds_.erase(it) : std::next(it);
  }
}

void EtcdServer::Run() {
  std::vector<std::function<void()>> tasks;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto wake = std::min(next_tick_, commit_notices_.Due().value_or(next_tick_));
      cv_.wait_until(lock, wake, [this] { return stopping_ || !tasks_.empty(); });
      tasks.swap(tasks_);
      if (stopping_) {
        stopped_ = true;  // no task is queued from now on
        break;
      }
    }
    for (auto& t : tasks) t();
    tasks.clear();
    if (halted_) continue;  // a failed log write: stopping_ ends the loop
    if (steady_clock::now() >= next_tick_) {
      Tick();
      next_tick_ = std::max(next_tick_ + config_.heartbeat, steady_clock::now());
    }
    if (removal_notice_at_ && steady_clock::now() >= *removal_notice_at_) {
      removal_notice_at_.reset();
      if (config_.on_removed) config_.on_removed();
    }
    FlushProposals();
    while (node_->HasReady() && !removed_ && !halted_) {
      ProcessReady();
      // Writes that waited for a leader go out as soon as one is known.
      if (leader_appeared_) RetryUnproposed();
    }
    transport_->Send(commit_notices_.TakeDue(steady_clock::now()));
  }
  // The last tasks may hold requests: they register and fail below, so every
  // callback runs once.
  for (auto& t : tasks) t();
  to_propose_.clear();
  for (auto& [id, w] : waiters_) {
    if (w.done) Fail(w.done, kStopped);
    if (w.conf_done) w.conf_done(Status::Unavailable(kStopped));
  }
  waiters_.clear();
  for (auto& r : reads_waiting_) Fail(r.done, kStopped);
  for (auto& [ctx, batch] : read_rounds_) {
    for (auto& r : batch.reads) Fail(r.done, kStopped);
  }
}

void EtcdServer::Tick() {
  node_->Tick();
  ExpireWaiters();
  if (leader_id_.load() != 0) {
    RetryUnproposed();
    StartReadRound();
    if (!published_ && !publish_in_flight_) {
      // Publish this member's name and client URLs (every start, as etcd).
      Request publish;
      publish.id = next_request_id_.fetch_add(1);
      publish.method = "PUT";
      publish.path = AttributesPath(config_.member_id);
      publish.val = AttributesJson(config_.name, config_.client_urls);
      publish_in_flight_ = true;
      auto on_published = [this](Response resp) {
        publish_in_flight_ = false;
        if (!resp.result.event) return;
        published_ = true;
        published_flag_ = true;
        milestones::Published(config_.name, config_.client_urls, config_.cluster_id);
      };
      ProposeNow(std::move(publish), on_published, steady_clock::now() + request_timeout_);
    }
  }
  if (is_leader_.load()) LeaderDuties();
}

void EtcdServer::LeaderDuties() {
  auto now = steady_clock::now();
  if (now < next_sync_) return;
  next_sync_ = now + config_.sync_interval;
  // Only the leader expires keys, by a SYNC entry carrying its clock, so
  // every member removes the same keys at the same index.
  if (store_.HasTtlKeys()) {
    Request sync;
    sync.id = next_request_id_.fetch_add(1);
    sync.method = "SYNC";
    sync.time_ns = common::UnixNowNs();
    node_->Propose(sync.Encode());
  }
  auto version = store_.Peek(kVersionPath, false);
  if (!version.ok() || version.value().node.value != std::optional<std::string>(common::kClusterVersion)) {
    milestones::SettingClusterVersion(cluster_version_, common::kClusterVersion);
    Request v;
    v.id = next_request_id_.fetch_add(1);
    v.method = "PUT";
    v.path = kVersionPath;
    v.val = common::kClusterVersion;
    node_->Propose(v.Encode());
  }
}

void EtcdServer::OnLeaderChange(uint64_t lead, bool leader) {
  if (lead != leader_id_.load()) {
    milestones::LeaderChanged(config_.member_id, leader_id_.load(), lead, term_.load());
    std::lock_guard<std::mutex> lock(stats_mu_);
    leader_since_ = system_clock::now();
    KV_LOG(kInfo, "etcdserver") << common::FormatId(config_.member_id)
                                << (lead == 0 ? " lost its leader" : " sees leader " + common::FormatId(lead))
                                << " at term " << term_.load();
  }
  if (lead != 0 && lead != leader_id_.load()) leader_appeared_ = true;
  leader_id_ = lead;
  is_leader_ = leader;
  if (!leader) commit_notices_.Clear();
  if (leader) next_sync_ = steady_clock::now();
}

void EtcdServer::ProcessReady() {
  raft::Ready rd = node_->GetReady();
  if (rd.hard_state) term_ = rd.hard_state->term;
  if (rd.soft_state) OnLeaderChange(rd.soft_state->lead, rd.soft_state->role == raft::StateRole::kLeader);
  transport_->Send(commit_notices_.Filter(std::move(rd.messages), steady_clock::now()));
  // Only new entries, a snapshot or a changed term or vote must reach the
  // disk; a commit-only change rides on the next write. The write runs on
  // the log writer's thread while this loop goes on; what had to wait for
  // it (acks, votes, the leader counting itself) follows in `done`.
  bool must_write = rd.must_sync || !rd.entries.empty() || !rd.snapshot.IsEmpty();
  if (!must_write && rd.hard_state) log_.DeferHardState(*rd.hard_state);
  if (must_write || !rd.messages_after_persist.empty()) {
    // Only a leader counts its own writes (raft ignores the rest): a
    // follower's done write wakes nobody but its peer senders.
    std::optional<raft::Entry> last;
    if (!rd.entries.empty() && is_leader_.load()) {
      last = raft::Entry{rd.entries.back().term, rd.entries.back().index, {}, {}};
    }
    auto done = [this, msgs = std::move(rd.messages_after_persist), last](const Status& s) mutable {
      if (!s.ok()) return Post([this, s] { Halt("cannot persist the raft log: " + s.message()); });
      // Straight from the writer thread: acks and votes go out one thread
      // hand-off after their fsync.
      transport_->Send(std::move(msgs));
      if (last) {
        Post([this, last] {
          leader_writes_.pop_front();  // writes finish in order
          node_->OnPersisted(last->index, last->term);
        });
      }
    };
    if (last) leader_writes_.push_back(steady_clock::now());
    Status s = log_.Persist(must_write ? rd.hard_state : std::nullopt, rd.entries, rd.snapshot, std::move(done));
    if (!s.ok()) return Halt("cannot persist the raft log: " + s.message());
  }
  if (!rd.snapshot.IsEmpty()) {
    RestoreSnapshot(rd.snapshot);
    if (halted_) return;  // nothing may be applied on top of a failed restore
  }
  // Committed entries are on a quorum's disks (the leader counts itself
  // only for what it persisted): apply and answer them now, even those
  // this member is still writing.
  for (size_t i = 0; i < rd.committed_entries.size() && !removed_; ++i) Apply(rd.committed_entries[i]);
  if (rd.hard_state) commit_index_ = std::max(commit_index_.load(), rd.hard_state->commit);
  for (const raft::ReadState& rs : rd.read_states) {
    auto it = read_rounds_.find(rs.request_ctx);
    if (it != read_rounds_.end()) it->second.index = std::max<uint64_t>(rs.index, 1);
  }
  node_->AdvanceBeforePersist(rd);
  ServeReads();
  MaybeSnapshot();
}

void EtcdServer::Apply(const raft::Entry& entry) {
  commit_index_ = std::max(commit_index_.load(), entry.index);
  ApplyEntry(entry);
  applied_ = entry.index;
}

void EtcdServer::ApplyEntry(const raft::Entry& entry) {
  if (entry.type == raft::EntryType::kConfChange) return ApplyConfChangeEntry(entry);
  if (entry.data.empty()) return;  // a new leader's empty entry
  auto request = Request::Decode(entry.data);
  if (!request) {
    KV_LOG(kError, "etcdserver") << "undecodable request at index " << entry.index << ", skipped";
    return;
  }
  ApplyResult result = ApplyRequest(store_, *request);
  if (request->path == kVersionPath && result.event) NoteClusterVersion(false);
  auto it = waiters_.find(request->id);
  if (it == waiters_.end()) return;
  Callback done = std::move(it->second.done);
  waiters_.erase(it);
  if (done) done(Response{std::move(result), commit_index_.load(), term_.load()});
}

void EtcdServer::ApplyConfChangeEntry(const raft::Entry& entry) {
  auto decoded = DecodeConfChangeEntry(entry.data);
  if (!decoded) {
    KV_LOG(kError, "etcdserver") << "undecodable conf change at index " << entry.index << ", skipped";
    return;
  }
  const raft::ConfChange& cc = decoded->cc;
  const ConfChangeContext& ctx = decoded->ctx;
  Status s = CheckConfChange(store_, cc, ctx);
  if (s.ok()) {
    ApplyConfChangeToStore(store_, cc, ctx);
    switch (cc.type) {
      case raft::ConfChangeType::kAddNode: milestones::MemberAdded(cc.node_id, ctx.peer_urls, config_.cluster_id); break;
      case raft::ConfChangeType::kUpdateNode:
        milestones::MemberUpdated(cc.node_id, ctx.peer_urls, config_.cluster_id);
        break;
      case raft::ConfChangeType::kRemoveNode: milestones::MemberRemoved(cc.node_id, config_.cluster_id); break;
    }
    node_->ApplyConfChange(cc);
    if (cc.type == raft::ConfChangeType::kRemoveNode) transport_->MarkRemoved(cc.node_id);
    RefreshPeers();
    KV_LOG(kInfo, "etcdserver") << "applied conf change at index " << entry.index << ": "
                                << (cc.type == raft::ConfChangeType::kAddNode      ? "added "
                                    : cc.type == raft::ConfChangeType::kRemoveNode ? "removed "
                                                                                    : "updated ")
                                << common::FormatId(cc.node_id);
  } else {
    KV_LOG(kWarn, "etcdserver") << "refused conf change at index " << entry.index << ": " << s.message();
  }
  auto it = waiters_.find(ctx.request_id);
  if (it != waiters_.end()) {
    StatusCallback done = std::move(it->second.conf_done);
    waiters_.erase(it);
    if (done) done(s);
  }
  if (s.ok() && cc.type == raft::ConfChangeType::kRemoveNode && cc.node_id == config_.member_id) {
    KV_LOG(kWarn, "etcdserver") << "this member was removed from the cluster; stopping";
    milestones::RemovedFromCluster();
    removed_ = true;
    // As etcd, stop ten heartbeats later: the answer to the removal itself
    // (when it came through this member) must get out first.
    removal_notice_at_ = steady_clock::now() + 10 * config_.heartbeat;
  }
}

// etcd's lines when the cluster version is first known or changes.
void EtcdServer::NoteClusterVersion(bool from_store) {
  auto v = store_.Peek(kVersionPath, false);
  std::string version = v.ok() ? v.value().node.value.value_or("") : "";
  if (version.empty() || version == cluster_version_) return;
  milestones::ClusterVersionSet(cluster_version_, version, from_store);
  cluster_version_ = version;
}

void EtcdServer::RestoreSnapshot(const raft::Snapshot& snap) {
  Status s = store_.Recover(snap.data);
  if (!s.ok()) {
    return Halt("cannot restore snapshot at index " + std::to_string(snap.metadata.index) + ": " +
                s.message());
  }
  applied_ = snap.metadata.index;
  commit_index_ = std::max(commit_index_.load(), applied_);
  NoteClusterVersion(true);
  RefreshPeers();
  KV_LOG(kInfo, "etcdserver") << "restored store from snapshot at index " << applied_;
}

// The loop ends after this Ready or task (a Ready is not advanced, so the
// node is not looked at again); queued requests fail with "server stopped".
void EtcdServer::Halt(const std::string& reason) {
  if (halted_) return;  // every write after a failed one fails too
  KV_LOG(kError, "etcdserver") << reason << "; stopping this member";
  halted_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  if (config_.on_halted) config_.on_halted();
}

void EtcdServer::MaybeSnapshot() {
  if (applied_ - log_.snapshot_index() <= config_.snapshot_count) return;
  uint64_t index = applied_;
  auto done = [this, index](const Status& s) {
    if (!s.ok()) return Post([this, s] { Halt("cannot persist a snapshot: " + s.message()); });
    KV_LOG(kInfo, "etcdserver") << "saved snapshot at index " << index;
  };
  Status s = log_.Snapshot(applied_, node_->raft().conf_state(), store_.Save(),
                           config_.snapshot_catchup_entries, std::move(done));
  if (!s.ok()) {
    KV_LOG(kError, "etcdserver") << "snapshot at index " << applied_ << " failed: " << s.message();
  }
}

void EtcdServer::RefreshPeers() {
  // The replicated membership once known; before that (a joining member)
  // the peers it was started with.
  std::map<uint64_t, std::vector<std::string>> peers;
  for (const Member& m : ReadMembers(store_)) peers[m.id] = m.peer_urls;
  if (peers.empty()) peers = config_.initial_members;
  // Members added by conf changes in the log but not applied yet: a
  // restarted member learns that they are committed from the leader, which
  // may be one of them, so their traffic must get through.
  const raft::Storage& log = log_.storage();
  auto last = log.LastIndex();
  auto entries = last.ok() && *last > applied_ ? log.Entries(applied_ + 1, *last + 1, UINT64_MAX)
                                               : common::Result<std::vector<raft::Entry>>(std::vector<raft::Entry>{});
  for (const raft::Entry& e : entries.ok() ? *entries : std::vector<raft::Entry>{}) {
    if (e.type != raft::EntryType::kConfChange) continue;
    auto change = DecodeConfChangeEntry(e.data);
    if (change && change->cc.type == raft::ConfChangeType::kAddNode) peers.emplace(change->cc.node_id, change->ctx.peer_urls);
  }
  peers.erase(config_.member_id);
  transport_->UpdatePeers(peers);
}

SelfStats EtcdServer::self_stats() {
  SelfStats st;
  st.leader = is_leader_.load();
  st.leader_id = leader_id_.load();
  {
    std::lock_guard<std::mutex> lock(stats_mu_);
    st.leader_since = leader_since_;
  }
  if (transport_) {
    st.recv_append = transport_->received_append_count();
    st.send_append = transport_->sent_append_count();
  }
  return st;
}

}  // namespace etcdserver
