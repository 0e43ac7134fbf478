#include "server/offline/backup.h"

#include <sys/stat.h>

#include <random>

#include "common/log.h"
#include "common/member_id.h"
#include "server/offline/staged_dir.h"
#include "server/storage/data_dir_lock.h"
#include "server/storage/db_copy.h"
#include "server/storage/sqlite_storage.h"

namespace offline {
namespace {

using common::Status;

// A fresh random id, never 0 (etcd's backup draws them from a time-seeded generator).
uint64_t RandomId() {
  std::random_device rd;
  uint64_t id = 0;
  while (id == 0) id = (static_cast<uint64_t>(rd()) << 32) | rd();
  return id;
}

}  // namespace

Status Backup(const BackupOptions& o) {
  if (o.backup_dir.empty()) return Status::InvalidArgument("--backup-dir is required");
  const std::string db = (o.data_dir.empty() ? "" : o.data_dir + "/") + "member/kvraft.db";
  struct stat st {};
  if (::stat(db.c_str(), &st) != 0) return Status::NotFound("open " + db + ": no such file or directory");
  auto lock = storage::DataDirLock::Acquire(o.data_dir.empty() ? "." : o.data_dir);
  if (!lock.ok()) {
    if (lock.status().code() != common::Code::kUnavailable) return lock.status();
    return Status::Unavailable(lock.status().message() +
                               ": stop the member first, or take an online backup with `kvraftctl snapshot save`");
  }
  auto staged = StagedDataDir::Create(o.backup_dir, "backup dir");
  if (!staged.ok()) return staged.status();
  auto span = storage::CopyDatabase(db, (*staged)->path() + "/member/kvraft.db");
  if (!span.ok()) return span.status();
  std::string old_member, old_cluster;
  const uint64_t member = RandomId(), cluster = RandomId();
  {
    auto copy = storage::SqliteStorage::Open((*staged)->path());
    if (!copy.ok()) return copy.status();
    auto meta = (*copy)->meta();
    old_member = meta["member_id"];
    old_cluster = meta["cluster_id"];
    if (old_member.empty()) return Status::Corruption(db + " has no member identity");
    meta["member_id"] = common::FormatId(member);
    meta["cluster_id"] = common::FormatId(cluster);
    meta["backup_of"] = old_member;
    Status s = (*copy)->SetMeta(meta);
    if (!s.ok()) return s;
  }
  Status s = (*staged)->Commit();
  if (!s.ok()) return s;
  KV_LOG(kInfo, "backup") << "backed up member " << old_member << " of cluster " << old_cluster
                          << " (raft log to index " << span->last_index << ") into " << o.backup_dir
                          << " as member " << common::FormatId(member) << " of cluster "
                          << common::FormatId(cluster) << "; start it with --force-new-cluster";
  return Status::OK();
}

}  // namespace offline
