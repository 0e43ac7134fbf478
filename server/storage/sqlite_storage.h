// Durable state of one member in a single SQLite file, <data-dir>/member/kvraft.db:
// the log, the hard state (term, vote, commit), the newest snapshot and a few
// identity facts (member id, cluster id, name, token) in `meta`.
//
// Every row carries a checksum (row_checksum.h), checked when it is read
// back, which is at start: a damaged file is refused, never served.
//
// The snapshot's data is kept in pieces of at most snapshot_piece_bytes (64
// MiB): SQLite refuses a value over 1,000,000,000 bytes (its compile-time
// SQLITE_MAX_LENGTH), and a store can be larger than that. The first piece
// sits in the snapshot row, so a store smaller than a piece keeps the layout
// of schema 1 exactly.
//
// Every Save() is one transaction that is on disk when it returns
// (journal_mode=WAL, synchronous=FULL), so a caller may acknowledge what it
// saved. The WAL is checkpointed into the database file by a background
// thread (WalCheckpointer), never inside a Save. Not thread-safe: one thread
// at a time (the member's LogWriter once the server runs).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/shared_bytes.h"
#include "common/status.h"
#include "server/storage/wal_checkpointer.h"

namespace storage {

enum class EntryType : int { kNormal = 0, kConfChange = 1 };

struct LogEntry {
  uint64_t index = 0;
  uint64_t term = 0;
  EntryType type = EntryType::kNormal;
  std::string data;  // empty for a leader's no-op entry
};

struct HardState {
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;
};

struct SnapshotRecord {
  uint64_t index = 0;       // last log index the snapshot covers
  uint64_t term = 0;
  std::string conf_state;   // encoded membership at that index
  common::SharedBytes data;  // encoded store (shared with raft's copy)
};

// One write to the log, done in this order: the entries (replacing any
// stored entries from the first new index on: a conflicting suffix), the
// hard state, the snapshot, then the compaction of entries <= compact_to.
struct Write {
  std::vector<LogEntry> entries;
  std::optional<HardState> hard_state;
  std::optional<SnapshotRecord> snapshot;
  uint64_t compact_to = 0;  // 0: nothing to compact

  bool empty() const { return entries.empty() && !hard_state && !snapshot && compact_to == 0; }
  size_t bytes() const;  // about, for queue bounds
};

class SqliteStorage {
 public:
  ~SqliteStorage();
  SqliteStorage(const SqliteStorage&) = delete;
  SqliteStorage& operator=(const SqliteStorage&) = delete;

  // Opens <data_dir>/member/kvraft.db, creating it (and the directories) when
  // absent. A file that is not a kvraft database, or fails SQLite's quick
  // check, is Corruption: it is never reinitialised.
  static constexpr size_t kSnapshotPieceBytes = 64 << 20;
  static common::Result<std::unique_ptr<SqliteStorage>> Open(const std::string& data_dir,
                                                             size_t snapshot_piece_bytes = kSnapshotPieceBytes);

  // True when the database holds no identity yet (a new member).
  bool IsNew() const { return meta_.empty(); }
  // Identity facts written once at bootstrap ("member_id", "cluster_id", "name", "token").
  const std::map<std::string, std::string>& meta() const { return meta_; }
  common::Status SetMeta(const std::map<std::string, std::string>& values);

  // Does `writes` in order in one durable transaction (group commit).
  // After a failed checkpoint (WalCheckpointer::failure) it fails at once.
  // Compacted entries are gone for FirstIndex at once and deleted from the
  // file in small chunks, one in each following Save's transaction, so no
  // write stalls on a large prefix and compaction adds no fsync of its own.
  common::Status Save(const std::vector<Write>& writes);

  common::Result<HardState> LoadHardState();
  common::Result<std::optional<SnapshotRecord>> LoadSnapshot();
  // Entries in [lo, hi), at most `max_bytes` of data (always at least one).
  common::Result<std::vector<LogEntry>> Entries(uint64_t lo, uint64_t hi, uint64_t max_bytes);
  // Index of the last stored entry, or of the snapshot when the log is empty.
  common::Result<uint64_t> LastIndex();
  // First index still in the log (snapshot index + 1 after compaction).
  common::Result<uint64_t> FirstIndex();

 private:
  SqliteStorage(sqlite3* db, std::string path, size_t piece_bytes)
      : db_(db), path_(std::move(path)), piece_bytes_(piece_bytes) {}
  common::Status Exec(const char* sql);
  common::Status Step(sqlite3_stmt* stmt, const char* what);  // a statement without rows
  common::Status SaveOne(const Write& w);  // inside an open transaction
  common::Status SaveSnapshot(const SnapshotRecord& snap);  // likewise
  common::Status ReadSnapshotPieces(std::string* data);
  void Compact(uint64_t index);
  common::Status CompactChunk();
  common::Status Error(const char* what) const;
  common::Status Damaged(const std::string& what) const;  // a row fails its checksum
  static common::Status QuickCheck(sqlite3* db);
  common::Status AddChecksumColumns();
  common::Status Prepare();
  common::Status LoadMeta();

  sqlite3* db_;
  std::string path_;
  const size_t piece_bytes_;
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::map<std::string, std::string> meta_;
  uint64_t compacted_ = 0;        // entries <= this are compacted...
  bool compact_pending_ = false;  // ...but some are still in the file
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* compact_chunk_ = nullptr;
  sqlite3_stmt* insert_entry_ = nullptr;
  sqlite3_stmt* delete_from_ = nullptr;
  sqlite3_stmt* put_hard_state_ = nullptr;
};

}  // namespace storage
