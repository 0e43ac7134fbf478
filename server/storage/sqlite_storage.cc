#include "server/storage/sqlite_storage.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "server/storage/row_checksum.h"
#include "server/storage/sqlite_error.h"

namespace storage {
namespace {

using common::Result;
using common::Status;

constexpr int kSchemaVersion = 1;
// Compacted entries are deleted at most this many per Save, inside its
// transaction, so dropping a 100k-entry prefix never stalls one write
// (a single DELETE of 100k rows took ~95 ms; chunks of 1000 added ~50
// pages to each of the next hundred commits, a visible p99 bump).
constexpr int kCompactChunk = 200;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (idx INTEGER PRIMARY KEY, term INTEGER NOT NULL,
                                    type INTEGER NOT NULL, data BLOB NOT NULL, crc INTEGER);
CREATE TABLE IF NOT EXISTS hard_state (id INTEGER PRIMARY KEY CHECK (id = 0), term INTEGER NOT NULL,
                                       vote INTEGER NOT NULL, commit_index INTEGER NOT NULL,
                                       crc INTEGER);
CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 0), idx INTEGER NOT NULL,
                                     term INTEGER NOT NULL, conf_state BLOB NOT NULL,
                                     data BLOB NOT NULL, crc INTEGER);
CREATE TABLE IF NOT EXISTS snapshot_pieces (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
)sql";
// Each row's RowChecksum is in its `crc` column. A NULL one is a row written
// before kvraft kept checksums (the column was added to the table later):
// it is not checked.
const char* const kChecksummedTables[] = {"entries", "hard_state", "snapshot"};

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return Status::OK();
  return Status::IOError("cannot create directory " + path + ": " + std::strerror(errno));
}

// RAII for one prepared statement used once.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

// SQLite's own sizes are ints (a value is at most SQLITE_MAX_LENGTH bytes).
std::string_view ColumnView(sqlite3_stmt* s, int col) {
  const void* p = sqlite3_column_blob(s, col);
  int n = sqlite3_column_bytes(s, col);
  return p && n > 0 ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string_view();
}
std::string ColumnText(sqlite3_stmt* s, int col) { return std::string(ColumnView(s, col)); }

// Binds with 64-bit lengths: a length is never narrowed to an int.
int BindBlob(sqlite3_stmt* s, int col, std::string_view v) {
  return sqlite3_bind_blob64(s, col, v.data(), v.size(), SQLITE_STATIC);
}
int BindText(sqlite3_stmt* s, int col, std::string_view v) {
  return sqlite3_bind_text64(s, col, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
}

bool ChecksumMatches(sqlite3_stmt* s, int col, uint32_t want) {
  return sqlite3_column_type(s, col) == SQLITE_NULL || sqlite3_column_int64(s, col) == want;
}

}  // namespace

SqliteStorage::~SqliteStorage() {
  checkpointer_.reset();  // its connection closes before ours
  for (sqlite3_stmt* s : {begin_, commit_, rollback_, insert_entry_, delete_from_, put_hard_state_,
                          compact_chunk_}) {
    sqlite3_finalize(s);
  }
  sqlite3_close(db_);
}

Status SqliteStorage::Error(const char* what) const {
  int code = sqlite3_errcode(db_);
  std::string msg = std::string(what) + " (" + path_ + "): " + SqliteError(db_);
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::Corruption(msg);
  return Status::IOError(msg);
}

Status SqliteStorage::Damaged(const std::string& what) const {
  return Status::Corruption(path_ + " is damaged: " + what + " does not match its checksum");
}

Status SqliteStorage::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return Error(sql);
  return Status::OK();
}

Status SqliteStorage::Step(sqlite3_stmt* stmt, const char* what) {
  sqlite3_reset(stmt);
  if (sqlite3_step(stmt) != SQLITE_DONE) return Error(what);
  return Status::OK();
}

Result<std::unique_ptr<SqliteStorage>> SqliteStorage::Open(const std::string& data_dir, size_t snapshot_piece_bytes) {
  Status s = MakeDir(data_dir);
  if (s.ok()) s = MakeDir(data_dir + "/member");
  if (!s.ok()) return s;
  std::string path = data_dir + "/member/kvraft.db";
  struct stat st {};
  bool existed = ::stat(path.c_str(), &st) == 0;
  if (existed && st.st_size == 0) {
    return Status::Corruption("data dir " + data_dir + ": " + path + " is empty (not a kvraft database)");
  }

  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<SqliteStorage> st_ptr(new SqliteStorage(db, path, snapshot_piece_bytes));
  if (rc != SQLITE_OK) return st_ptr->Error("cannot open database");
  sqlite3_busy_timeout(db, 5000);

  // quick_check reads every page and checks the structure of each b-tree:
  // a damaged file is refused before any use.
  if (existed) {
    s = QuickCheck(db);
    if (!s.ok()) return Status(s.code(), "data dir " + data_dir + ": " + path + " " + s.message());
  }
  for (const char* pragma : {"PRAGMA page_size=1024", "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL"}) {
    s = st_ptr->Exec(pragma);
    if (!s.ok()) return s;
  }
  s = st_ptr->Exec(kSchema);
  if (s.ok()) s = st_ptr->AddChecksumColumns();
  if (s.ok()) s = st_ptr->Prepare();
  if (s.ok()) s = st_ptr->LoadMeta();
  if (!s.ok()) return s;
  // Replaces SQLite's automatic checkpoint, which would run inside a commit.
  st_ptr->checkpointer_ = std::make_unique<WalCheckpointer>(path);
  sqlite3_wal_hook(
      db,
      [](void* arg, sqlite3* conn, const char* name, int pages) {
        auto* checkpointer = static_cast<WalCheckpointer*>(arg);
        if (checkpointer->OnCommit(pages)) {
          checkpointer->OnCheckpoint(sqlite3_wal_checkpoint_v2(conn, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr),
                                     conn);
        }
        return SQLITE_OK;
      },
      st_ptr->checkpointer_.get());
  if (existed && st_ptr->meta_.empty()) {
    // Identity is written before the first entry: entries without it are not ours.
    Stmt count(db, "SELECT COUNT(*) FROM entries");
    if (count.ok() && sqlite3_step(count.get()) == SQLITE_ROW && sqlite3_column_int64(count.get(), 0) > 0) {
      return Status::Corruption("data dir " + data_dir + ": database has log entries but no identity");
    }
  }
  auto it = st_ptr->meta_.find("schema");
  if (it != st_ptr->meta_.end() && it->second != std::to_string(kSchemaVersion)) {
    return Status::Corruption("data dir " + data_dir + ": unsupported schema version " + it->second);
  }
  return st_ptr;
}

Status SqliteStorage::QuickCheck(sqlite3* db) {
  Stmt check(db, "PRAGMA quick_check(1)");  // the first problem is enough
  if (!check.ok() || sqlite3_step(check.get()) != SQLITE_ROW) {
    // Not a database at all, or one SQLite cannot open for reading (its
    // shared-memory file cannot be made on a full disk): the file may be fine.
    int code = sqlite3_errcode(db) & 0xff;
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
      return Status::Corruption("is damaged or not a kvraft database: " + SqliteError(db));
    }
    return Status::IOError("cannot be opened: " + SqliteError(db));
  }
  std::string result = ColumnText(check.get(), 0);
  if (result == "ok") return Status::OK();
  const std::string banner = "*** in database main ***\n";
  if (result.compare(0, banner.size(), banner) == 0) result.erase(0, banner.size());
  for (char& c : result) {
    if (c == '\n') c = ' ';
  }
  return Status::Corruption("is damaged: " + result);
}

Status SqliteStorage::AddChecksumColumns() {
  for (const char* table : kChecksummedTables) {
    if (Stmt(db_, (std::string("SELECT crc FROM ") + table).c_str()).ok()) continue;
    Status s = Exec((std::string("ALTER TABLE ") + table + " ADD COLUMN crc INTEGER").c_str());
    if (!s.ok()) return s;
  }
  return Status::OK();
}

Status SqliteStorage::Prepare() {
  struct {
    sqlite3_stmt** stmt;
    const char* sql;
  } all[] = {
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&compact_chunk_,
       "DELETE FROM entries WHERE idx <= min(?1, (SELECT min(idx) FROM entries) + ?2)"},
      {&insert_entry_, "INSERT OR REPLACE INTO entries (idx, term, type, data, crc) VALUES (?, ?, ?, ?, ?)"},
      {&delete_from_, "DELETE FROM entries WHERE idx >= ?"},
      {&put_hard_state_,
       "INSERT OR REPLACE INTO hard_state (id, term, vote, commit_index, crc) VALUES (0, ?, ?, ?, ?)"},
  };
  for (auto& p : all) {
    if (sqlite3_prepare_v2(db_, p.sql, -1, p.stmt, nullptr) != SQLITE_OK) return Error(p.sql);
  }
  return Status::OK();
}

Status SqliteStorage::LoadMeta() {
  Stmt q(db_, "SELECT key, value FROM meta");
  if (!q.ok()) return Error("read meta");
  int rc;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    meta_[ColumnText(q.get(), 0)] = ColumnText(q.get(), 1);
  }
  return rc == SQLITE_DONE ? Status::OK() : Error("read meta");
}

Status SqliteStorage::SetMeta(const std::map<std::string, std::string>& values) {
  Status s = Step(begin_, "begin");
  if (!s.ok()) return s;
  Stmt put(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
  if (!put.ok()) {
    Status err = Error("write meta");
    Step(rollback_, "rollback");
    return err;
  }
  auto all = values;
  all["schema"] = std::to_string(kSchemaVersion);
  for (const auto& [k, v] : all) {
    sqlite3_reset(put.get());
    BindText(put.get(), 1, k);
    BindText(put.get(), 2, v);
    if (sqlite3_step(put.get()) != SQLITE_DONE) {
      Status err = Error("write meta");
      Step(rollback_, "rollback");
      return err;
    }
  }
  s = Step(commit_, "commit");
  if (s.ok()) meta_ = std::move(all);
  return s;
}

size_t Write::bytes() const {
  size_t n = snapshot ? snapshot->data.size() : 0;
  for (const LogEntry& e : entries) n += e.data.size() + 32;
  return n;
}

Status SqliteStorage::Save(const std::vector<Write>& writes) {
  Status s = checkpointer_->failure();
  if (s.ok()) s = Step(begin_, "begin");
  if (!s.ok()) return s;
  for (const Write& w : writes) {
    s = SaveOne(w);
    if (!s.ok()) break;
  }
  if (s.ok() && compact_pending_) s = CompactChunk();
  if (s.ok()) s = Step(commit_, "commit");
  if (!s.ok()) Step(rollback_, "rollback");
  return s;
}

Status SqliteStorage::SaveOne(const Write& w) {
  if (!w.entries.empty()) {
    sqlite3_reset(delete_from_);
    sqlite3_bind_int64(delete_from_, 1, static_cast<sqlite3_int64>(w.entries.front().index));
    if (sqlite3_step(delete_from_) != SQLITE_DONE) return Error("truncate log");
  }
  for (const LogEntry& e : w.entries) {
    sqlite3_reset(insert_entry_);
    sqlite3_bind_int64(insert_entry_, 1, static_cast<sqlite3_int64>(e.index));
    sqlite3_bind_int64(insert_entry_, 2, static_cast<sqlite3_int64>(e.term));
    sqlite3_bind_int(insert_entry_, 3, static_cast<int>(e.type));
    if (BindBlob(insert_entry_, 4, e.data) != SQLITE_OK ||
        sqlite3_bind_int64(insert_entry_, 5, RowChecksum(e)) != SQLITE_OK ||
        sqlite3_step(insert_entry_) != SQLITE_DONE) {
      return Error("append entry");
    }
  }
  if (w.hard_state) {
    sqlite3_reset(put_hard_state_);
    sqlite3_bind_int64(put_hard_state_, 1, static_cast<sqlite3_int64>(w.hard_state->term));
    sqlite3_bind_int64(put_hard_state_, 2, static_cast<sqlite3_int64>(w.hard_state->vote));
    sqlite3_bind_int64(put_hard_state_, 3, static_cast<sqlite3_int64>(w.hard_state->commit));
    sqlite3_bind_int64(put_hard_state_, 4, RowChecksum(*w.hard_state));
    if (sqlite3_step(put_hard_state_) != SQLITE_DONE) return Error("save hard state");
  }
  if (w.snapshot) {
    Status s = SaveSnapshot(*w.snapshot);
    if (!s.ok()) return s;
  }
  if (w.compact_to != 0) Compact(w.compact_to);
  return Status::OK();
}

Status SqliteStorage::SaveSnapshot(const SnapshotRecord& snap) {
  std::string_view data = snap.data.str();
  std::string_view first = data.substr(0, piece_bytes_);
  // The checksum covers the whole data, before it is cut into pieces.
  Stmt put(db_, "INSERT OR REPLACE INTO snapshot (id, idx, term, conf_state, data, crc) VALUES (0, ?, ?, ?, ?, ?)");
  Stmt clear(db_, "DELETE FROM snapshot_pieces");
  Stmt piece(db_, "INSERT INTO snapshot_pieces (seq, data) VALUES (?, ?)");
  if (!put.ok() || !clear.ok() || !piece.ok()) return Error("save snapshot");
  sqlite3_bind_int64(put.get(), 1, static_cast<sqlite3_int64>(snap.index));
  sqlite3_bind_int64(put.get(), 2, static_cast<sqlite3_int64>(snap.term));
  if (BindBlob(put.get(), 3, snap.conf_state) != SQLITE_OK || BindBlob(put.get(), 4, first) != SQLITE_OK ||
      sqlite3_bind_int64(put.get(), 5, RowChecksum(snap)) != SQLITE_OK || sqlite3_step(put.get()) != SQLITE_DONE ||
      sqlite3_step(clear.get()) != SQLITE_DONE) {
    return Error("save snapshot");
  }
  sqlite3_int64 seq = 1;
  for (size_t at = first.size(); at < data.size(); at += piece_bytes_, ++seq) {
    sqlite3_reset(piece.get());
    sqlite3_bind_int64(piece.get(), 1, seq);
    if (BindBlob(piece.get(), 2, data.substr(at, piece_bytes_)) != SQLITE_OK ||
        sqlite3_step(piece.get()) != SQLITE_DONE) {
      return Error("save snapshot piece");
    }
  }
  return Status::OK();
}

void SqliteStorage::Compact(uint64_t index) {
  if (index <= compacted_) return;
  compacted_ = index;
  compact_pending_ = true;
}

Status SqliteStorage::CompactChunk() {
  sqlite3_reset(compact_chunk_);
  sqlite3_bind_int64(compact_chunk_, 1, static_cast<sqlite3_int64>(compacted_));
  sqlite3_bind_int64(compact_chunk_, 2, kCompactChunk - 1);
  if (sqlite3_step(compact_chunk_) != SQLITE_DONE) return Error("compact");
  // The log is contiguous: a short chunk reached the target.
  compact_pending_ = sqlite3_changes(db_) == kCompactChunk;
  return Status::OK();
}

Result<HardState> SqliteStorage::LoadHardState() {
  Stmt q(db_, "SELECT term, vote, commit_index, crc FROM hard_state WHERE id = 0");
  if (!q.ok()) return Error("read hard state");
  HardState hs;
  int rc = sqlite3_step(q.get());
  if (rc == SQLITE_ROW) {
    hs.term = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 0));
    hs.vote = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 1));
    hs.commit = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 2));
    if (!ChecksumMatches(q.get(), 3, RowChecksum(hs))) return Damaged("the hard state (term, vote, commit)");
  } else if (rc != SQLITE_DONE) {
    return Error("read hard state");
  }
  return hs;
}

Result<std::optional<SnapshotRecord>> SqliteStorage::LoadSnapshot() {
  Stmt q(db_, "SELECT idx, term, conf_state, crc FROM snapshot WHERE id = 0");
  if (!q.ok()) return Error("read snapshot");
  int rc = sqlite3_step(q.get());
  if (rc == SQLITE_DONE) return std::optional<SnapshotRecord>();
  if (rc != SQLITE_ROW) return Error("read snapshot");
  SnapshotRecord snap;
  snap.index = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 0));
  snap.term = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 1));
  snap.conf_state = ColumnText(q.get(), 2);
  std::string data;
  Status s = ReadSnapshotPieces(&data);
  if (!s.ok()) return s;
  snap.data = std::move(data);
  if (!ChecksumMatches(q.get(), 3, RowChecksum(snap))) {
    return Damaged("the snapshot at index " + std::to_string(snap.index));
  }
  return std::optional<SnapshotRecord>(std::move(snap));
}

// The snapshot row's piece, then the others in order, into one buffer sized
// once (length() of a blob does not read its content).
Status SqliteStorage::ReadSnapshotPieces(std::string* data) {
  Stmt size(db_, "SELECT (SELECT length(data) FROM snapshot WHERE id = 0) + "
                 "coalesce((SELECT sum(length(data)) FROM snapshot_pieces), 0)");
  if (!size.ok() || sqlite3_step(size.get()) != SQLITE_ROW) return Error("read snapshot");
  data->clear();
  data->reserve(static_cast<size_t>(sqlite3_column_int64(size.get(), 0)));
  for (const char* sql : {"SELECT data FROM snapshot WHERE id = 0", "SELECT data FROM snapshot_pieces ORDER BY seq"}) {
    Stmt q(db_, sql);
    if (!q.ok()) return Error("read snapshot");
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) data->append(ColumnView(q.get(), 0));
    if (rc != SQLITE_DONE) return Error("read snapshot");
  }
  return Status::OK();
}

Result<std::vector<LogEntry>> SqliteStorage::Entries(uint64_t lo, uint64_t hi, uint64_t max_bytes) {
  Stmt q(db_, "SELECT idx, term, type, data, crc FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx");
  if (!q.ok()) return Error("read entries");
  sqlite3_bind_int64(q.get(), 1, static_cast<sqlite3_int64>(lo));
  sqlite3_bind_int64(q.get(), 2, static_cast<sqlite3_int64>(hi));
  std::vector<LogEntry> out;
  uint64_t bytes = 0;
  int rc;
  while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
    LogEntry e;
    e.index = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 0));
    e.term = static_cast<uint64_t>(sqlite3_column_int64(q.get(), 1));
    e.type = static_cast<EntryType>(sqlite3_column_int(q.get(), 2));
    e.data = ColumnText(q.get(), 3);
    if (e.index != lo + out.size()) return Status::Corruption("log has a gap before index " + std::to_string(e.index));
    if (!ChecksumMatches(q.get(), 4, RowChecksum(e))) return Damaged("log entry " + std::to_string(e.index));
    bytes += e.data.size();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(std::move(e));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error("read entries");
  return out;
}

Result<uint64_t> SqliteStorage::LastIndex() {
  // Entries left below the snapshot by an unfinished compaction do not count.
  Stmt q(db_, "SELECT max(coalesce((SELECT max(idx) FROM entries), 0), "
              "coalesce((SELECT idx FROM snapshot WHERE id = 0), 0))");
  if (!q.ok() || sqlite3_step(q.get()) != SQLITE_ROW) return Error("read last index");
  return static_cast<uint64_t>(sqlite3_column_int64(q.get(), 0));
}

Result<uint64_t> SqliteStorage::FirstIndex() {
  Stmt q(db_, "SELECT MIN(idx) FROM entries WHERE idx > ?");
  if (!q.ok()) return Error("read first index");
  sqlite3_bind_int64(q.get(), 1, static_cast<sqlite3_int64>(compacted_));
  if (sqlite3_step(q.get()) != SQLITE_ROW) return Error("read first index");
  if (sqlite3_column_type(q.get(), 0) != SQLITE_NULL) {
    return static_cast<uint64_t>(sqlite3_column_int64(q.get(), 0));
  }
  auto last = LastIndex();
  if (!last.ok()) return last.status();
  return *last + 1;
}

}  // namespace storage
