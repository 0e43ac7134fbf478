#include "server/storage/wal_checkpointer.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/unit/temp_dir.h"

namespace {

off_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TEST_SUITE("storage") {
  TEST_CASE("the checkpointer copies the write-ahead log into the database on its own thread") {
    const std::string dir = test_util::MakeTempDir("ckpt");
    const std::string path = dir + "/test.db";
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    // A writer that never checkpoints by itself, as the storage's is.
    REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;"
                             "CREATE TABLE t (v BLOB)", nullptr, nullptr, nullptr) == SQLITE_OK);
    storage::WalCheckpointer checkpointer(path);
    const off_t before = FileSize(path);
    // ~1200 pages of 4 KB in the WAL, committed before the thread is asked.
    REQUIRE(sqlite3_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) "
                             "INSERT INTO t SELECT randomblob(3000) FROM n",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    CHECK_FALSE(checkpointer.OnCommit(1200));  // the thread does it; the writer goes on
    // Without another commit of the writer, the database file fills up.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (FileSize(path) < before + (3 << 20) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(FileSize(path) >= before + (3 << 20));
    sqlite3_close(db);
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("a checkpoint that fails for anything but contention is reported from then on") {
    const std::string dir = test_util::MakeTempDir("ckpt");
    const std::string path = dir + "/test.db";
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t (v BLOB)", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    storage::WalCheckpointer checkpointer(path);
    checkpointer.OnCheckpoint(SQLITE_OK, db);
    checkpointer.OnCheckpoint(SQLITE_BUSY, db);  // another checkpoint was running: normal
    CHECK(checkpointer.failure().ok());
    checkpointer.OnCheckpoint(SQLITE_IOERR_FSYNC, db);
    CHECK(checkpointer.failure().code() == common::Code::kIOError);
    CHECK(checkpointer.failure().message().find("checkpoint of " + path + " failed") == 0);
    checkpointer.OnCheckpoint(SQLITE_OK, db);  // a failed disk stays failed
    CHECK_FALSE(checkpointer.failure().ok());
    sqlite3_close(db);
    std::filesystem::remove_all(dir);
  }
}
