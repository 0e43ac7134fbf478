#include "server/storage/sqlite_storage.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/unit/temp_dir.h"

namespace {

std::string TempDir() { return test_util::MakeTempDir("storage"); }

storage::LogEntry Entry(uint64_t index, uint64_t term, std::string data) {
  return storage::LogEntry{index, term, storage::EntryType::kNormal, std::move(data)};
}

storage::Write Append(std::vector<storage::LogEntry> entries) {
  storage::Write w;
  w.entries = std::move(entries);
  return w;
}

storage::Write SnapshotAt(storage::SnapshotRecord snap, uint64_t compact_to) {
  storage::Write w;
  w.snapshot = std::move(snap);
  w.compact_to = compact_to;
  return w;
}

// Runs `sql` on the member database with a connection of its own; the first
// column of the first row, or -1.
int64_t Count(const std::string& dir, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir + "/member/kvraft.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
  int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

}  // namespace

TEST_SUITE("storage") {
  TEST_CASE("a new data dir is empty and remembers what was saved across reopen") {
    std::string dir = TempDir();
    {
      auto st = storage::SqliteStorage::Open(dir);
      REQUIRE(st.ok());
      CHECK((*st)->IsNew());
      CHECK(*(*st)->LastIndex() == 0);
      storage::HardState hs{3, 7, 2};
      std::vector<storage::LogEntry> entries{Entry(1, 1, "a"), Entry(2, 3, std::string("b\0c", 3))};
      storage::Write w = Append(entries);
      w.hard_state = hs;
      REQUIRE((*st)->Save({w}).ok());
      REQUIRE((*st)->SetMeta({{"name", "n1"}}).ok());
    }
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    CHECK_FALSE((*st)->IsNew());
    CHECK((*st)->meta().at("name") == "n1");
    auto hs = (*st)->LoadHardState();
    CHECK(hs->term == 3);
    CHECK(hs->vote == 7);
    CHECK(hs->commit == 2);
    auto entries = (*st)->Entries(1, 3, 1 << 20);
    REQUIRE(entries->size() == 2);
    CHECK((*entries)[1].data == std::string("b\0c", 3));
    CHECK((*entries)[1].term == 3);
  }

  TEST_CASE("appending at an earlier index drops the conflicting suffix") {
    auto st = storage::SqliteStorage::Open(TempDir());
    REQUIRE(st.ok());
    REQUIRE((*st)->Save({Append({Entry(1, 1, "a"), Entry(2, 1, "b"), Entry(3, 1, "c")})}).ok());
    REQUIRE((*st)->Save({Append({Entry(2, 2, "x")})}).ok());
    CHECK(*(*st)->LastIndex() == 2);
    auto entries = (*st)->Entries(1, 10, 1 << 20);
    REQUIRE(entries->size() == 2);
    CHECK((*entries)[1].data == "x");
  }

  TEST_CASE("one save does several writes in order, a later one replacing an earlier suffix") {
    auto st = storage::SqliteStorage::Open(TempDir());
    REQUIRE(st.ok());
    storage::Write second = Append({Entry(3, 2, "y"), Entry(4, 2, "z")});
    second.hard_state = storage::HardState{2, 1, 3};
    REQUIRE((*st)->Save({Append({Entry(1, 1, "a"), Entry(2, 1, "b"), Entry(3, 1, "c")}), second}).ok());
    CHECK(*(*st)->LastIndex() == 4);
    auto entries = (*st)->Entries(1, 10, 1 << 20);
    REQUIRE(entries->size() == 4);
    CHECK((*entries)[2].data == "y");
    CHECK((*entries)[2].term == 2);
    CHECK((*st)->LoadHardState()->commit == 3);
  }

  TEST_CASE("entries honour the byte limit but always return one") {
    auto st = storage::SqliteStorage::Open(TempDir());
    REQUIRE(st.ok());
    REQUIRE((*st)->Save({Append({Entry(1, 1, "aaaa"), Entry(2, 1, "bbbb"), Entry(3, 1, "cccc")})}).ok());
    CHECK((*st)->Entries(1, 4, 1)->size() == 1);
    CHECK((*st)->Entries(1, 4, 8)->size() == 2);
  }

  TEST_CASE("snapshot and compaction keep the index sequence") {
    auto st = storage::SqliteStorage::Open(TempDir());
    REQUIRE(st.ok());
    REQUIRE((*st)->Save({Append({Entry(1, 1, "a"), Entry(2, 1, "b")})}).ok());
    storage::SnapshotRecord snap{2, 1, "cs", "store"};
    REQUIRE((*st)->Save({SnapshotAt(snap, 2)}).ok());
    CHECK(*(*st)->LastIndex() == 2);
    CHECK(*(*st)->FirstIndex() == 3);
    auto loaded = (*st)->LoadSnapshot();
    REQUIRE(loaded->has_value());
    CHECK((*loaded)->data == "store");
  }

  TEST_CASE("a long compacted prefix is gone at once and deleted over the following saves") {
    std::string dir = TempDir();
    {
      auto st = storage::SqliteStorage::Open(dir);
      REQUIRE(st.ok());
      REQUIRE((*st)->SetMeta({{"name", "m"}}).ok());
      std::vector<storage::LogEntry> entries;
      for (uint64_t i = 1; i <= 5000; ++i) entries.push_back(Entry(i, 1, "v"));
      REQUIRE((*st)->Save({Append(entries)}).ok());
      storage::SnapshotRecord snap{4500, 1, "cs", "store"};
      REQUIRE((*st)->Save({SnapshotAt(snap, 4500)}).ok());
      CHECK(*(*st)->FirstIndex() == 4501);
      CHECK(*(*st)->LastIndex() == 5000);
      CHECK((*st)->Entries(4000, 4001, 100)->size() == 1);  // not all deleted yet
      for (uint64_t i = 5001; i <= 5030; ++i) REQUIRE((*st)->Save({Append({Entry(i, 1, "w")})}).ok());
      CHECK((*st)->Entries(1, 4501, 1 << 20)->empty());
      CHECK((*st)->Entries(4501, 5031, 1 << 20)->size() == 530);
    }
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    CHECK(*(*st)->FirstIndex() == 4501);
    CHECK(*(*st)->LastIndex() == 5030);
  }

  TEST_CASE("after a restart mid-compaction the snapshot still bounds the log") {
    std::string dir = TempDir();
    {
      auto st = storage::SqliteStorage::Open(dir);
      REQUIRE(st.ok());
      REQUIRE((*st)->SetMeta({{"name", "m"}}).ok());
      std::vector<storage::LogEntry> entries;
      for (uint64_t i = 1; i <= 3000; ++i) entries.push_back(Entry(i, 1, "v"));
      REQUIRE((*st)->Save({Append(entries)}).ok());
      storage::SnapshotRecord snap{4000, 2, "cs", "store"};  // a snapshot past the log, as a follower gets
      REQUIRE((*st)->Save({SnapshotAt(snap, 4000)}).ok());
    }
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    CHECK(*(*st)->LastIndex() == 4000);
  }

  TEST_CASE("the write-ahead log is checkpointed in the background and stays bounded") {
    std::string dir = TempDir();
    const std::string big(8192, 'x');  // three pages a save at least
    constexpr uint64_t kSaves = 1500;  // ~4500 WAL pages, ~18 MB, if never checkpointed
    {
      auto st = storage::SqliteStorage::Open(dir);
      REQUIRE(st.ok());
      REQUIRE((*st)->SetMeta({{"name", "n1"}}).ok());
      for (uint64_t i = 1; i <= kSaves; ++i) REQUIRE((*st)->Save({Append({Entry(i, 1, big)})}).ok());
      struct stat wal {};
      REQUIRE(::stat((dir + "/member/kvraft.db-wal").c_str(), &wal) == 0);
      CHECK(wal.st_size < 12 * 1024 * 1024);
    }
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    CHECK(*(*st)->LastIndex() == kSaves);
    auto entries = (*st)->Entries(kSaves, kSaves + 1, 1 << 20);
    REQUIRE(entries->size() == 1);
    CHECK((*entries)[0].data == big);
  }

  TEST_CASE("a snapshot larger than a piece is stored in pieces and read back whole") {
    std::string dir = TempDir();
    std::string big;
    for (int i = 0; i < 3500; ++i) big.push_back(static_cast<char>(i * 7 % 256));
    {
      auto st = storage::SqliteStorage::Open(dir, 1000);
      REQUIRE(st.ok());
      REQUIRE((*st)->Save({SnapshotAt({5, 2, "cs", big}, 0)}).ok());
      auto loaded = (*st)->LoadSnapshot();
      REQUIRE(loaded.ok());
      REQUIRE(loaded->has_value());
      CHECK((*loaded)->data == big);
    }
    // Pieces of the snapshot row plus 3 more; reopened with another piece
    // size, what was stored is still read in order.
    CHECK(Count(dir, "SELECT count(*) FROM snapshot_pieces") == 3);
    CHECK(Count(dir, "SELECT length(data) FROM snapshot") == 1000);
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    auto loaded = (*st)->LoadSnapshot();
    REQUIRE(loaded->has_value());
    CHECK((*loaded)->index == 5);
    CHECK((*loaded)->term == 2);
    CHECK((*loaded)->conf_state == "cs");
    CHECK((*loaded)->data == big);
    // A smaller snapshot replaces every piece of the larger one.
    REQUIRE((*st)->Save({SnapshotAt({9, 3, "cs2", "small"}, 0)}).ok());
    loaded = (*st)->LoadSnapshot();
    CHECK((*loaded)->data == "small");
    CHECK(Count(dir, "SELECT count(*) FROM snapshot_pieces") == 0);
  }

  TEST_CASE("a database written before snapshot pieces existed still loads its snapshot") {
    std::string dir = TempDir();
    {
      auto st = storage::SqliteStorage::Open(dir);
      REQUIRE(st.ok());
      REQUIRE((*st)->Save({SnapshotAt({4, 1, "cs", "old store"}, 0)}).ok());
    }
    CHECK(Count(dir, "SELECT count(*) FROM snapshot_pieces") == 0);
    Count(dir, "DROP TABLE snapshot_pieces");  // schema 1 had only the snapshot row
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    auto loaded = (*st)->LoadSnapshot();
    REQUIRE(loaded.ok());
    REQUIRE(loaded->has_value());
    CHECK((*loaded)->data == "old store");
  }

  TEST_CASE("a garbage database file is refused, never reinitialised") {
    std::string dir = TempDir();
    REQUIRE(storage::SqliteStorage::Open(dir).ok());
    {
      std::ofstream out(dir + "/member/kvraft.db", std::ios::binary | std::ios::trunc);
      out << std::string(8192, 'z');
    }
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE_FALSE(st.ok());
    CHECK(st.status().code() == common::Code::kCorruption);
    std::ifstream in(dir + "/member/kvraft.db", std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(content == std::string(8192, 'z'));
  }
}
