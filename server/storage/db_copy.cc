#include "server/storage/db_copy.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>

#include "server/storage/sqlite_error.h"

namespace storage {
namespace {

using common::Status;

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

common::Result<Db> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return Status::IOError("cannot open " + path + ": " + SqliteError(raw));
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

common::Result<uint64_t> QueryIndex(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW) {
    Status s = Status::Corruption(std::string("not a kvraft database: ") + SqliteError(db));
    sqlite3_finalize(stmt);
    return s;
  }
  auto v = static_cast<uint64_t>(sqlite3_column_int64(stmt, 0));
  sqlite3_finalize(stmt);
  return v;
}

}  // namespace

common::Result<LogSpan> CopyDatabase(const std::string& from, const std::string& to) {
  struct stat st {};
  if (::stat(to.c_str(), &st) == 0) return Status::AlreadyExists(to + " already exists");
  // Read-write, never created: a stopped member's WAL may need SQLite's
  // recovery before it can be read.
  auto src = OpenDb(from, SQLITE_OPEN_READWRITE);
  if (!src.ok()) return src.status();
  auto dst = OpenDb(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!dst.ok()) return dst.status();
  sqlite3_backup* backup = sqlite3_backup_init(dst->get(), "main", src->get(), "main");
  if (!backup) return Status::IOError("cannot copy " + from + ": " + SqliteError(dst->get()));
  // All pages in one step: one read transaction, so one consistent state.
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return Status::IOError("cannot copy " + from + " to " + to + ": " + sqlite3_errstr(rc));
  }
  LogSpan span;
  auto snap = QueryIndex(dst->get(), "SELECT coalesce((SELECT idx FROM snapshot WHERE id = 0), 0)");
  if (!snap.ok()) return Status(snap.status().code(), from + " is " + snap.status().message());
  auto last = QueryIndex(dst->get(), "SELECT coalesce((SELECT max(idx) FROM entries), 0)");
  if (!last.ok()) return Status(last.status().code(), from + " is " + last.status().message());
  span.snapshot_index = *snap;
  span.last_index = std::max(*snap, *last);
  return span;
}

}  // namespace storage
