// A consistent copy of a member's database file, made with SQLite's online
// backup API from a connection of its own: it reads one committed state of
// the file (the WAL included) while the member goes on writing, since a
// reader in WAL mode blocks no writer. Used by `kvraft backup` (a stopped
// member) and by the online snapshot endpoint (a running one).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace storage {

// What a copy holds of the raft log: the index of its snapshot (0: none) and
// of its last entry (or the snapshot's when no entry follows it).
struct LogSpan {
  uint64_t snapshot_index = 0;
  uint64_t last_index = 0;
};

// Copies the database at `from` (a kvraft.db) into a new file `to`, which
// must not exist. Safe from any thread; the source's writers are not held up.
common::Result<LogSpan> CopyDatabase(const std::string& from, const std::string& to);

}  // namespace storage
