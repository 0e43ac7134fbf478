#include "server/storage/log_writer.h"

#include <doctest/doctest.h>

#include <mutex>
#include <string>
#include <vector>

#include "tests/unit/temp_dir.h"

namespace {

std::string TempDir() { return test_util::MakeTempDir("writer"); }

storage::Write Append(uint64_t index) {
  storage::Write w;
  w.entries.push_back(storage::LogEntry{index, 1, storage::EntryType::kNormal, "v" + std::to_string(index)});
  return w;
}

}  // namespace

TEST_SUITE("storage") {
  TEST_CASE("the log writer makes writes durable in order and calls back in order, barriers included") {
    std::string dir = TempDir();
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    REQUIRE((*st)->SetMeta({{"name", "m"}}).ok());  // a database with entries has an identity
    std::mutex mu;
    std::vector<int> calls;  // the order the callbacks ran in
    std::vector<uint64_t> last_on_disk;
    {
      storage::LogWriter writer(**st);
      for (int i = 1; i <= 200; ++i) {
        // Every tenth is a barrier: it writes nothing but waits its turn.
        storage::Write w = i % 10 == 0 ? storage::Write{} : Append(i);
        writer.Submit(std::move(w), [&, i](const common::Status& s) {
          CHECK(s.ok());
          std::lock_guard<std::mutex> lock(mu);
          calls.push_back(i);
        });
      }
      CHECK(writer.Drain().ok());
      std::lock_guard<std::mutex> lock(mu);
      REQUIRE(calls.size() == 200);
      for (int i = 0; i < 200; ++i) CHECK(calls[i] == i + 1);
    }
    // Reopened: the entries are there (the barriers wrote nothing).
    st->reset();
    auto again = storage::SqliteStorage::Open(dir);
    REQUIRE(again.ok());
    CHECK(*(*again)->LastIndex() == 199);
    auto e = (*again)->Entries(100, 101, 1 << 20);
    CHECK(e->empty());  // index 100 was a barrier
    CHECK((*again)->Entries(101, 102, 1 << 20)->at(0).data == "v101");
  }

  TEST_CASE("the log writer finishes queued writes when it is destroyed") {
    std::string dir = TempDir();
    auto st = storage::SqliteStorage::Open(dir);
    REQUIRE(st.ok());
    int done = 0;
    {
      storage::LogWriter writer(**st);
      for (int i = 1; i <= 50; ++i) writer.Submit(Append(i), [&](const common::Status& s) { done += s.ok(); });
    }
    CHECK(done == 50);
    CHECK(*(*st)->LastIndex() == 50);
  }
}
