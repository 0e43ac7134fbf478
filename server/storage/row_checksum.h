// Checksums of the rows SqliteStorage keeps. SQLite's own check (quick_check)
// sees a damaged page structure but not a changed value inside a record: a
// flipped bit in a stored value or term would be served as if it were true.
// Each checksum covers every field of its row, not only the data.
#pragma once

#include <cstdint>

#include "server/storage/sqlite_storage.h"

namespace storage {

uint32_t RowChecksum(const LogEntry& e);
uint32_t RowChecksum(const HardState& hs);
uint32_t RowChecksum(const SnapshotRecord& snap);

}  // namespace storage
