#include "server/etcdserver/server.h"

#include <algorithm>
#include <future>

#include "common/log.h"
#include "common/member_id.h"
#include "server/etcdserver/conf_change.h"

namespace etcdserver {
namespace {

using common::Status;
using std::chrono::system_clock;

constexpr size_t kMaxBatch = 4096;               // proposals per fsync
constexpr uint64_t kReplayChunkBytes = 64 << 20;
constexpr const char* kClusterVersion = "3.4.0";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

EtcdServer::EtcdServer(ServerConfig config, store::Store& store, storage::SqliteStorage& storage)
    : config_(std::move(config)), store_(store), storage_(storage), start_time_(system_clock::now()) {}

EtcdServer::~EtcdServer() { Stop(); }

Status EtcdServer::Start() {
  // Identity is written before the first entry, so a member that crashed
  // while bootstrapping (identity, no log) simply bootstraps again.
  auto last = storage_.LastIndex();
  if (!last.ok()) return last.status();
  bool fresh = storage_.IsNew() || *last == 0;
  Status s = fresh ? Bootstrap() : Recover();
  if (s.ok() && !fresh) s = CheckIdentity();
  if (!s.ok()) return s;
  leader_id_ = config_.member_id;
  leader_since_ = system_clock::now();
  loop_ = std::thread([this] { Run(); });

  // Publish this member's name and client URLs (every start, as etcd does) and
  // decide the cluster version; wait so the first client sees them.
  std::vector<Request> startup;
  Request publish;
  publish.method = "PUT";
  publish.path = AttributesPath(config_.member_id);
  publish.val = AttributesJson(config_.name, config_.client_urls);
  startup.push_back(publish);
  auto version = store_.Get(kVersionPath, false, false);
  if (!version.ok() || version.value().node.value != std::optional<std::string>(kClusterVersion)) {
    Request v;
    v.method = "PUT";
    v.path = kVersionPath;
    v.val = kClusterVersion;
    startup.push_back(v);
  }
  for (Request& r : startup) {
    auto done = std::make_shared<std::promise<Response>>();
    auto future = done->get_future();
    Propose(std::move(r), [done](Response resp) { done->set_value(std::move(resp)); });
    Response resp = future.get();
    if (!resp.result.event) {
      return Status::Internal("cannot publish member attributes: " + resp.result.error.cause);
    }
  }
  return Status::OK();
}

void EtcdServer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void EtcdServer::Propose(Request request, Callback done) {
  request.id = next_request_id_.fetch_add(1);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      queue_.push_back(Proposal{std::move(request), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  std::vector<Proposal> one;
  one.push_back(Proposal{std::move(request), std::move(done)});
  FailAll(one, "etcdserver: server stopped");
}

// A data dir names its member: refuse one that was made for another member
// rather than serve (or overwrite) someone else's data.
Status EtcdServer::CheckIdentity() {
  const auto& meta = storage_.meta();
  auto get = [&](const char* k) {
    auto it = meta.find(k);
    return it == meta.end() ? std::string() : it->second;
  };
  const std::string where = "data dir " + config_.data_dir + " belongs to member " +
                            get("name") + " (" + get("member_id") + ") of cluster " +
                            get("cluster_id");
  if (get("name") != config_.name) {
    return Status::InvalidArgument(where + ", but this member is named " + config_.name);
  }
  if (get("token") != config_.cluster_token) {
    return Status::InvalidArgument(where + " (token " + get("token") +
                                   "), but --initial-cluster-token is " + config_.cluster_token);
  }
  uint64_t stored_id = std::strtoull(get("member_id").c_str(), nullptr, 16);
  for (const Member& m : ReadMembers(store_)) {
    if (m.id == stored_id && Sorted(m.peer_urls) != Sorted(config_.peer_urls)) {
      std::string have;
      for (const auto& u : m.peer_urls) have += (have.empty() ? "" : ",") + u;
      return Status::InvalidArgument(where + " with peer URLs " + have +
                                     ", which do not match --initial-advertise-peer-urls");
    }
  }
  return Status::OK();
}

Status EtcdServer::Recover() {
  auto snap = storage_.LoadSnapshot();
  if (!snap.ok()) return snap.status();
  if (snap->has_value()) {
    Status s = store_.Recover((*snap)->data);
    if (!s.ok()) return Status::Corruption("data dir " + config_.data_dir + ": snapshot: " + s.message());
    snapshot_index_ = (*snap)->index;
  }
  auto hs = storage_.LoadHardState();
  if (!hs.ok()) return hs.status();
  auto last = storage_.LastIndex();
  if (!last.ok()) return last.status();
  for (uint64_t next = snapshot_index_ + 1; next <= *last;) {
    auto entries = storage_.Entries(next, *last + 1, kReplayChunkBytes);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) {
      return Status::Corruption("data dir " + config_.data_dir + ": log entry " +
                                std::to_string(next) + " is missing");
    }
    for (const auto& e : *entries) {
      Response ignored;
      ApplyEntry(e, &ignored);
    }
    next += entries->size();
  }
  last_index_ = *last;
  commit_index_ = last_index_;
  // A restarted single member elects itself in a new term and, as a raft
  // leader does, appends an empty entry of that term.
  term_ = hs->term + 1;
  std::vector<Proposal> none;
  std::vector<storage::LogEntry> noop{storage::LogEntry{0, 0, storage::EntryType::kNormal, ""}};
  KV_LOG(kInfo, "etcdserver") << "recovered " << config_.name << " at index " << last_index_
                              << " (snapshot " << snapshot_index_ << "), store index "
                              << store_.Index();
  return AppendAndApply(none, noop);
}

Status EtcdServer::Bootstrap() {
  // Entry 1 (term 1) adds this member; the member then leads term 2 and
  // appends its empty entry, as a fresh etcd does.
  Status s = storage_.SetMeta({{"member_id", common::FormatId(config_.member_id)},
                               {"cluster_id", common::FormatId(config_.cluster_id)},
                               {"name", config_.name},
                               {"token", config_.cluster_token}});
  if (!s.ok()) return s;
  ConfChange add{ConfChange::Type::kAdd, config_.member_id, config_.peer_urls};
  term_ = 1;
  std::vector<Proposal> none;
  std::vector<storage::LogEntry> first{
      storage::LogEntry{0, 0, storage::EntryType::kConfChange, add.Encode()}};
  s = AppendAndApply(none, first);
  if (!s.ok()) return s;
  term_ = 2;
  std::vector<storage::LogEntry> noop{storage::LogEntry{0, 0, storage::EntryType::kNormal, ""}};
  s = AppendAndApply(none, noop);
  if (s.ok()) {
    KV_LOG(kInfo, "etcdserver") << "bootstrapped member " << common::FormatId(config_.member_id)
                                << " of cluster " << common::FormatId(config_.cluster_id) << " in "
                                << config_.data_dir;
  }
  return s;
}

// Makes `extra` entries, then one entry per proposal, durable in a single
// transaction, applies them in order and answers each proposer.
Status EtcdServer::AppendAndApply(std::vector<Proposal>& batch, std::vector<storage::LogEntry>& extra) {
  std::vector<storage::LogEntry> entries = std::move(extra);
  for (const Proposal& p : batch) {
    entries.push_back(storage::LogEntry{0, 0, storage::EntryType::kNormal, p.request.Encode()});
  }
  uint64_t index = last_index_;
  for (auto& e : entries) {
    e.index = ++index;
    e.term = term_;
  }
  storage::HardState hs{term_, config_.member_id, index};
  Status s = storage_.Save(&hs, entries, nullptr);
  if (!s.ok()) {
    KV_LOG(kError, "etcdserver") << "cannot persist " << entries.size() << " entries at index "
                                 << last_index_ + 1 << ": " << s.message();
    FailAll(batch, "etcdserver: " + s.message());
    return s;
  }
  last_index_ = index;
  size_t first_proposal = entries.size() - batch.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    Response resp;
    ApplyEntry(entries[i], &resp);
    commit_index_ = entries[i].index;
    if (i >= first_proposal) {
      resp.raft_index = entries[i].index;
      resp.raft_term = term_;
      batch[i - first_proposal].done(std::move(resp));
    }
  }
  return MaybeSnapshot();
}

void EtcdServer::ApplyEntry(const storage::LogEntry& entry, Response* response) {
  if (entry.data.empty()) return;  // a leader's empty entry
  if (entry.type == storage::EntryType::kConfChange) {
    auto cc = ConfChange::Decode(entry.data);
    if (cc) ApplyConfChange(store_, *cc);
    else KV_LOG(kError, "etcdserver") << "undecodable conf change at index " << entry.index;
    return;
  }
  auto request = Request::Decode(entry.data);
  if (!request) {
    KV_LOG(kError, "etcdserver") << "undecodable request at index " << entry.index;
    response->result.error = store::V2Error{store::kEcodeRaftInternal, "undecodable entry", store_.Index()};
    return;
  }
  response->result = ApplyRequest(store_, *request);
}

Status EtcdServer::MaybeSnapshot() {
  if (last_index_ - snapshot_index_ <= config_.snapshot_count) return Status::OK();
  storage::SnapshotRecord snap{last_index_, term_, "", store_.Save()};
  Status s = storage_.Save(nullptr, {}, &snap);
  if (s.ok()) s = storage_.Compact(last_index_);
  if (!s.ok()) {
    KV_LOG(kError, "etcdserver") << "snapshot at index " << last_index_ << " failed: " << s.message();
    return s;
  }
  snapshot_index_ = last_index_;
  KV_LOG(kInfo, "etcdserver") << "saved snapshot at index " << snapshot_index_;
  return Status::OK();
}

void EtcdServer::FailAll(std::vector<Proposal>& batch, const std::string& cause) {
  for (Proposal& p : batch) {
    Response resp;
    // Internal failures carry index 0, as etcd renders non-v2 errors.
    resp.result.error = store::V2Error{store::kEcodeRaftInternal, cause, 0};
    resp.raft_index = commit_index_.load();
    resp.raft_term = term_.load();
    p.done(std::move(resp));
  }
  batch.clear();
}

void EtcdServer::Run() {
  auto next_sync = std::chrono::steady_clock::now() + config_.sync_interval;
  std::vector<Proposal> batch;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, next_sync, [this] { return stopping_ || !queue_.empty(); });
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (stopping_) {
        while (!queue_.empty()) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        lock.unlock();
        FailAll(batch, "etcdserver: server stopped");
        return;
      }
    }
    std::vector<storage::LogEntry> extra;
    auto now = std::chrono::steady_clock::now();
    if (now >= next_sync) {
      next_sync = now + config_.sync_interval;
      // Only the leader expires keys, by a SYNC entry carrying its clock, so
      // every member removes the same keys at the same index.
      if (store_.HasTtlKeys()) {
        Request sync;
        sync.method = "SYNC";
        sync.time_ns = NowNs();
        extra.push_back(storage::LogEntry{0, 0, storage::EntryType::kNormal, sync.Encode()});
      }
    }
    if (batch.empty() && extra.empty()) continue;
    AppendAndApply(batch, extra);
    batch.clear();
  }
}

}  // namespace etcdserver
