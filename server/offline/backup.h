// `kvraft backup` (what `kvraftctl backup` runs), as etcdctl v2's backup: a
// copy of a stopped member's data dir from which
// `kvraft --data-dir BACKUP --force-new-cluster` starts a new cluster. As
// etcd's, the copy gets a new member id and a new cluster id, so it can never
// talk to the cluster it came from; unlike etcd's, it keeps the whole raft
// log, so every index stays as it was. The copy is marked as a backup:
// kvraft starts it only with --force-new-cluster.
#pragma once

#include <string>

#include "common/status.h"

namespace offline {

struct BackupOptions {
  std::string data_dir;
  std::string backup_dir;
};

// Refuses a data dir in use by a running member (its lock) and a backup dir
// that is not empty; logs what it made.
common::Status Backup(const BackupOptions& options);

}  // namespace offline
