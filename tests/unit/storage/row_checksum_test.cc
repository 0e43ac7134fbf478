#include "server/storage/row_checksum.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <string>

#include "server/storage/crc32c.h"
#include "server/storage/sqlite_storage.h"
#include "tests/unit/temp_dir.h"

namespace {

// Changes the file behind SqliteStorage's back, as a flipped bit on disk
// would: the page stays well-formed, only a value differs.
void Sql(const std::string& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir + "/member/kvraft.db").c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO(sql << ": " << (err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// A data dir with entries 1-3, a hard state and a snapshot at 1.
std::string Filled() {
  std::string dir = test_util::MakeTempDir("checksum");
  auto st = storage::SqliteStorage::Open(dir);
  REQUIRE(st.ok());
  REQUIRE((*st)->SetMeta({{"name", "m"}}).ok());
  storage::Write w;
  for (uint64_t i = 1; i <= 3; ++i) {
    w.entries.push_back(storage::LogEntry{i, 2, storage::EntryType::kNormal, "value-" + std::to_string(i)});
  }
  w.hard_state = storage::HardState{2, 1, 3};
  w.snapshot = storage::SnapshotRecord{1, 2, "conf", "store data"};
  REQUIRE((*st)->Save({w}).ok());
  return dir;
}

std::unique_ptr<storage::SqliteStorage> Reopen(const std::string& dir) {
  auto st = storage::SqliteStorage::Open(dir);
  REQUIRE(st.ok());  // SQLite's own check sees nothing wrong
  return std::move(*st);
}

void CheckDamaged(const common::Status& s, const std::string& what) {
  CHECK(s.code() == common::Code::kCorruption);
  CHECK(s.message().find(what + " does not match its checksum") != std::string::npos);
}

}  // namespace

TEST_SUITE("storage") {
  TEST_CASE("crc32c matches the standard check values") {
    CHECK(storage::Crc32c("") == 0);
    CHECK(storage::Crc32c("123456789") == 0xe3069283);
    CHECK(storage::Crc32c(std::string(32, '\0')) == 0x8a9136aa);  // RFC 3720 B.4
    std::string text = "The quick brown fox jumps over the lazy dog, twice over and again";
    CHECK(storage::Crc32c(text.substr(13), storage::Crc32c(text.substr(0, 13))) == storage::Crc32c(text));
  }

  TEST_CASE("row checksums cover every field") {
    storage::LogEntry e{5, 2, storage::EntryType::kNormal, "v"};
    uint32_t base = storage::RowChecksum(e);
    for (auto change : {+[](storage::LogEntry& x) { x.index++; }, +[](storage::LogEntry& x) { x.term++; },
                        +[](storage::LogEntry& x) { x.type = storage::EntryType::kConfChange; },
                        +[](storage::LogEntry& x) { x.data = "w"; }}) {
      storage::LogEntry c = e;
      change(c);
      CHECK(storage::RowChecksum(c) != base);
    }
    CHECK(storage::RowChecksum(storage::HardState{1, 2, 3}) != storage::RowChecksum(storage::HardState{1, 3, 3}));
    CHECK(storage::RowChecksum(storage::SnapshotRecord{1, 1, "ab", "c"}) !=
          storage::RowChecksum(storage::SnapshotRecord{1, 1, "a", "bc"}));
  }

  TEST_CASE("a changed value in a log entry is found when the log is read") {
    std::string dir = Filled();
    REQUIRE(Reopen(dir)->Entries(1, 4, 1 << 20).ok());
    Sql(dir, "UPDATE entries SET data = 'value-X' WHERE idx = 2");
    CheckDamaged(Reopen(dir)->Entries(1, 4, 1 << 20).status(), "log entry 2");
    Sql(dir, "UPDATE entries SET data = 'value-2', term = 3 WHERE idx = 2");
    CheckDamaged(Reopen(dir)->Entries(1, 4, 1 << 20).status(), "log entry 2");
  }

  TEST_CASE("a changed hard state or snapshot is found when it is read") {
    std::string dir = Filled();
    REQUIRE(Reopen(dir)->LoadHardState().ok());
    REQUIRE(Reopen(dir)->LoadSnapshot().ok());
    Sql(dir, "UPDATE hard_state SET vote = 3");
    CheckDamaged(Reopen(dir)->LoadHardState().status(), "the hard state (term, vote, commit)");
    Sql(dir, "UPDATE snapshot SET data = 'store dat4'");
    CheckDamaged(Reopen(dir)->LoadSnapshot().status(), "the snapshot at index 1");
  }

  TEST_CASE("a file from before row checksums opens, gains the column, and checks new rows") {
    std::string dir = test_util::MakeTempDir("checksum");
    REQUIRE(::mkdir((dir + "/member").c_str(), 0700) == 0);
    Sql(dir,
        "PRAGMA page_size=1024; PRAGMA journal_mode=WAL;"
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE entries (idx INTEGER PRIMARY KEY, term INTEGER NOT NULL, type INTEGER NOT NULL,"
        "                      data BLOB NOT NULL);"
        "CREATE TABLE hard_state (id INTEGER PRIMARY KEY CHECK (id = 0), term INTEGER NOT NULL,"
        "                         vote INTEGER NOT NULL, commit_index INTEGER NOT NULL);"
        "CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 0), idx INTEGER NOT NULL,"
        "                       term INTEGER NOT NULL, conf_state BLOB NOT NULL, data BLOB NOT NULL);"
        "INSERT INTO meta VALUES ('schema', '1'), ('name', 'old');"
        "INSERT INTO entries VALUES (1, 1, 0, 'a'), (2, 1, 0, 'b');"
        "INSERT INTO hard_state VALUES (0, 1, 1, 2);"
        "INSERT INTO snapshot VALUES (0, 1, 1, 'conf', 'store');");
    {
      auto st = Reopen(dir);
      CHECK(st->meta().at("name") == "old");
      auto entries = st->Entries(1, 3, 1 << 20);
      REQUIRE(entries.ok());
      REQUIRE(entries->size() == 2);
      CHECK((*entries)[1].data == "b");
      CHECK(st->LoadHardState()->commit == 2);
      CHECK((*st->LoadSnapshot())->data == "store");
      storage::Write w;
      w.entries.push_back(storage::LogEntry{3, 1, storage::EntryType::kNormal, "c"});
      REQUIRE(st->Save({w}).ok());
    }
    CHECK(Reopen(dir)->Entries(1, 4, 1 << 20)->size() == 3);
    Sql(dir, "UPDATE entries SET data = 'd' WHERE idx = 3");
    CheckDamaged(Reopen(dir)->Entries(1, 4, 1 << 20).status(), "log entry 3");
  }
}
