#include "server/offline/restore.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "common/log.h"
#include "common/member_id.h"
#include "common/snapshot_file.h"
#include "server/config/config.h"
#include "server/config/initial_cluster.h"
#include "server/etcdserver/apply.h"
#include "server/etcdserver/conf_change.h"
#include "server/etcdserver/membership.h"
#include "server/etcdserver/raft_log.h"
#include "server/offline/staged_dir.h"
#include "server/storage/sqlite_storage.h"
#include "server/store/store.h"

namespace offline {
namespace {

using common::Result;
using common::Status;

constexpr uint64_t kReplayChunkBytes = 64 << 20;

// The new cluster: its members and ids, and which one this data dir is for.
struct NewCluster {
  std::map<uint64_t, std::pair<std::string, std::vector<std::string>>> members;  // id -> name, peer URLs
  uint64_t member_id = 0;
  uint64_t cluster_id = 0;
};

Result<NewCluster> PlanCluster(const config::Config& cfg, const std::string& checksum) {
  auto bootstrap = config::PeerUrlsMapAndToken(cfg);
  if (!bootstrap.ok()) return bootstrap.status();
  Status s = config::VerifyBootstrap(cfg, bootstrap->peers);
  if (!s.ok()) return s;
  NewCluster out;
  std::vector<uint64_t> ids;
  for (const auto& [name, urls] : bootstrap->peers) {
    uint64_t id = common::MemberId(urls, bootstrap->token);
    std::vector<std::string> peer_urls;
    for (const auto& u : urls) peer_urls.push_back(u.String());
    out.members[id] = {name, peer_urls};
    ids.push_back(id);
    if (name == cfg.name) out.member_id = id;
  }
  if (out.member_id == 0) {
    return Status::InvalidArgument("couldn't find local name \"" + cfg.name + "\" in the initial cluster configuration");
  }
  uint64_t mix = 0;
  for (int i = 0; i < 8; ++i) mix = (mix << 8) | static_cast<uint8_t>(checksum[i]);
  out.cluster_id = common::ClusterId(ids) ^ mix;
  if (out.cluster_id == 0) out.cluster_id = common::ClusterId(ids);
  return out;
}

Status ExtractPayload(const std::string& file, uint64_t bytes, const std::string& to) {
  std::ifstream in(file, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!in || !out) return Status::IOError("cannot copy " + file + " to " + to);
  in.seekg(static_cast<std::streamoff>(common::kSnapshotHeaderBytes));
  std::vector<char> buf(1 << 20);
  while (bytes > 0 && in) {
    in.read(buf.data(), static_cast<std::streamsize>(std::min<uint64_t>(bytes, buf.size())));
    out.write(buf.data(), in.gcount());
    bytes -= static_cast<uint64_t>(in.gcount());
  }
  out.flush();
  if (bytes > 0 || !out) return Status::IOError("cannot copy " + file + " to " + to);
  return Status::OK();
}

// The store's part of applying one committed entry, as EtcdServer does it
// (with the same skips).
void ReplayOnStore(store::Store& st, const storage::LogEntry& e) {
  if (e.type == storage::EntryType::kConfChange) {
    auto d = etcdserver::DecodeConfChangeEntry(e.data);
    if (d && etcdserver::CheckConfChange(st, d->cc, d->ctx).ok()) {
      etcdserver::ApplyConfChangeToStore(st, d->cc, d->ctx);
    }
    return;
  }
  if (e.data.empty()) return;  // a new leader's empty entry
  auto request = etcdserver::Request::Decode(e.data);
  if (request) etcdserver::ApplyRequest(st, *request);
}

// The store at the file's raft index: the copy's snapshot, then its log up
// to that index. Also the term of that entry.
Status RebuildStore(storage::SqliteStorage& copy, const common::SnapshotHeader& h, store::Store* st,
                    uint64_t* term) {
  auto damaged = [](const std::string& what) { return Status::Corruption("the snapshot's data " + what); };
  auto snap = copy.LoadSnapshot();
  if (!snap.ok()) return snap.status();
  uint64_t next = 1;
  *term = 0;
  if (snap->has_value()) {
    const storage::SnapshotRecord& rec = **snap;
    if (rec.index > h.raft_index) return damaged("starts after the file's index");
    Status s = st->Recover(rec.data);
    if (!s.ok()) return s;
    next = rec.index + 1;
    *term = rec.term;
  }
  while (next <= h.raft_index) {
    auto entries = copy.Entries(next, h.raft_index + 1, kReplayChunkBytes);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) return damaged("lacks log entry " + std::to_string(next));
    for (const auto& e : *entries) {
      ReplayOnStore(*st, e);
      *term = e.term;
    }
    next += entries->size();
  }
  if (st->Index() != h.store_index) {
    return damaged("rebuilds index " + std::to_string(st->Index()) + ", not the file's " +
                   std::to_string(h.store_index));
  }
  return Status::OK();
}

// The membership of the new cluster replaces the old one in the store.
void ReplaceMembers(store::Store& st, const NewCluster& nc) {
  st.Delete("/0/members", /*dir=*/true, /*recursive=*/true);
  st.Delete("/0/removed_members", /*dir=*/true, /*recursive=*/true);
  for (const auto& [id, member] : nc.members) {
    raft::ConfChange add{raft::ConfChangeType::kAddNode, id, ""};
    etcdserver::ApplyConfChangeToStore(st, add, etcdserver::ConfChangeContext{0, member.second});
    st.Set(etcdserver::AttributesPath(id), false, etcdserver::AttributesJson(member.first, {}), {});
  }
}

}  // namespace

Status Restore(const RestoreOptions& o) {
  auto cfg = config::Load(o.cluster_flags, {}, config::ReadFileFromDisk);
  if (!cfg.ok()) return cfg.status();
  auto header = common::VerifySnapshotFile(o.file);
  if (!header.ok()) return header.status();
  auto plan = PlanCluster(*cfg, header->sha256);
  if (!plan.ok()) return plan.status();
  auto staged = StagedDataDir::Create(cfg->data_dir, "data dir");
  if (!staged.ok()) return staged.status();

  // The file's database is opened where it was unpacked, as a data dir of its own.
  const std::string source = (*staged)->path() + "/source";
  std::error_code ec;
  std::filesystem::create_directories(source + "/member", ec);
  Status s = ExtractPayload(o.file, header->payload_bytes, source + "/member/kvraft.db");
  if (!s.ok()) return s;
  store::Store st;
  uint64_t term = 0;
  {
    auto copy = storage::SqliteStorage::Open(source);
    if (!copy.ok()) return Status(copy.status().code(), o.file + ": " + copy.status().message());
    auto it = (*copy)->meta().find("cluster_id");
    if (it == (*copy)->meta().end() || it->second != common::FormatId(header->cluster_id)) {
      return Status::Corruption(o.file + ": its data is not of the cluster its header names");
    }
    s = RebuildStore(**copy, *header, &st, &term);
    if (!s.ok()) return Status(s.code(), o.file + ": " + s.message());
  }
  ReplaceMembers(st, *plan);
  // The new cluster's log starts at a snapshot: at the file's raft index, or
  // at the store's when that is ahead (a member receiving the snapshot later
  // refuses one whose store is ahead of its raft index).
  const uint64_t index = std::max(header->raft_index, st.Index());

  raft::ConfState cs;
  for (const auto& [id, member] : plan->members) cs.voters.push_back(id);
  {
    auto out = storage::SqliteStorage::Open((*staged)->path());
    if (!out.ok()) return out.status();
    s = (*out)->SetMeta({{"member_id", common::FormatId(plan->member_id)},
                         {"cluster_id", common::FormatId(plan->cluster_id)},
                         {"name", cfg->name},
                         {"token", cfg->initial_cluster_token}});
    storage::Write w;
    w.hard_state = storage::HardState{term, 0, index};
    w.snapshot = storage::SnapshotRecord{index, term, etcdserver::EncodeConfState(cs), st.Save()};
    if (s.ok()) s = (*out)->Save({w});
    if (!s.ok()) return s;
  }
  s = (*staged)->Commit();
  if (!s.ok()) return s;
  KV_LOG(kInfo, "restore") << "restored " << o.file << " (cluster " << common::FormatId(header->cluster_id)
                           << " at index " << header->store_index << ", raft index " << header->raft_index
                           << ") into " << cfg->data_dir << " as member " << cfg->name << " ("
                           << common::FormatId(plan->member_id) << ") of new cluster "
                           << common::FormatId(plan->cluster_id);
  return Status::OK();
}

}  // namespace offline
