#include "server/storage/wal_checkpointer.h"

#include <utility>

#include "common/log.h"
#include "common/thread_name.h"
#include "server/storage/sqlite_error.h"

namespace storage {
namespace {

using common::Status;

// Bounds the thread's passes per request: a writer faster than the
// checkpoint leaves it to the next OnCommit.
constexpr int kMaxPasses = 8;

}  // namespace

WalCheckpointer::WalCheckpointer(std::string path) : path_(std::move(path)), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void WalCheckpointer::OnCheckpoint(int rc, sqlite3* conn) {
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) Fail(SqliteError(conn));
}

Status WalCheckpointer::failure() {
  std::lock_guard<std::mutex> lock(mu_);
  return failure_;
}

void WalCheckpointer::Fail(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failure_.ok()) return;
  failure_ = Status::IOError("checkpoint of " + path_ + " failed: " + error);
  KV_LOG(kWarn, "storage") << failure_.message();
}

bool WalCheckpointer::OnCommit(int pages) {
  if (pages < kCheckpointPages) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (tail_ready_) {
    tail_ready_ = false;
    return true;
  }
  if (!due_) {
    due_ = true;
    cv_.notify_one();
  }
  return false;
}

void WalCheckpointer::Run() {
  common::SetThreadName("wal-ckpt");
  sqlite3* db = nullptr;
  const char* failed = nullptr;
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    failed = "open";
  } else if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr) != SQLITE_OK) {
    // A connection opens the WAL with its first read transaction; until then
    // its checkpoints find no WAL (-1 frames) and copy nothing.
    failed = "read";
  }
  if (failed != nullptr) {
    KV_LOG(kWarn, "storage") << "cannot " << failed << " " << path_ << " for checkpoints: " << sqlite3_errmsg(db)
                             << "; the writer checkpoints inline";
    sqlite3_close(db);
    db = nullptr;
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || due_; });
    if (stopping_) break;
    lock.unlock();
    bool tail = db == nullptr;
    for (int pass = 0; pass < kMaxPasses && !tail; ++pass) {
      int log = 0, copied = 0;
      int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
      if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY) {
        Fail(SqliteError(db));
        break;
      }
      tail = log - copied <= kTailPages;
    }
    lock.lock();
    due_ = false;
    tail_ready_ = tail;
  }
  lock.unlock();
  sqlite3_close(db);
}

}  // namespace storage
