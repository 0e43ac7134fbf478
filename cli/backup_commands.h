// Actions of `backup` (etcdctl v2's) and `snapshot save|restore|status`
// (kvraft's online backup). backup and snapshot restore work on data dirs,
// whose format belongs to the server: they run `kvraft backup` and
// `kvraft snapshot restore` (KVRAFT_BIN, else the kvraft beside kvraftctl,
// else kvraft on PATH) in place of kvraftctl. snapshot save streams
// GET /kvraft/snapshot from the first endpoint that answers and keeps the
// file only once its checksum holds. Main thread only.
#pragma once

#include "cli/command.h"

namespace cli {

int BackupAction(CommandContext& ctx);
int SnapshotSaveAction(CommandContext& ctx);
int SnapshotRestoreAction(CommandContext& ctx);
int SnapshotStatusAction(CommandContext& ctx);

}  // namespace cli
