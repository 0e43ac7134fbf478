// MemoryStorage: the Storage contract (ranges, byte limits, named errors)
// that the SQLite storage must also meet.
#include <doctest/doctest.h>

#include "server/raft/memory_storage.h"

namespace raft_test {
namespace {

using common::Code;
using raft::Entry;

std::vector<Entry> Ents(uint64_t from, uint64_t to, uint64_t term, size_t size = 1) {
  std::vector<Entry> out;
  for (uint64_t i = from; i <= to; ++i) {
    out.push_back(Entry{term, i, raft::EntryType::kNormal, std::string(size, 'x')});
  }
  return out;
}

}  // namespace

TEST_SUITE("raft") {
TEST_CASE("storage: an empty storage has first index 1, last index 0 and term 0 at index 0") {
  raft::MemoryStorage s;
  CHECK(*s.FirstIndex() == 1);
  CHECK(*s.LastIndex() == 0);
  CHECK(*s.Term(0) == 0);
  CHECK(s.Term(1).status().code() == Code::kUnavailable);
  CHECK(s.InitialState()->hard_state.IsEmpty());
}

TEST_CASE("storage: Entries returns [lo, hi) within max_bytes but always at least one entry") {
  raft::MemoryStorage s;
  s.Append(Ents(1, 5, 1, 100));
  CHECK(s.Entries(2, 5, UINT64_MAX)->size() == 3);
  CHECK(s.Entries(2, 5, 1)->size() == 1);
  CHECK(s.Entries(2, 5, 2 * raft::EntrySize(Ents(1, 1, 1, 100)[0]))->size() == 2);
  CHECK(s.Entries(3, 3, UINT64_MAX)->empty());
}

TEST_CASE("storage: appending replaces a conflicting suffix") {
  raft::MemoryStorage s;
  s.Append(Ents(1, 5, 1));
  s.Append(Ents(3, 3, 2));
  CHECK(*s.LastIndex() == 3);
  CHECK(*s.Term(3) == 2);
  CHECK(*s.Term(2) == 1);
}

TEST_CASE("storage: compaction keeps the term of the compaction point and reports compacted ranges") {
  raft::MemoryStorage s;
  s.Append(Ents(1, 10, 1));
  REQUIRE(s.CreateSnapshot(6, raft::ConfState{{1, 2, 3}}, "state").ok());
  REQUIRE(s.Compact(6).ok());
  CHECK(*s.FirstIndex() == 7);
  CHECK(*s.LastIndex() == 10);
  CHECK(*s.Term(6) == 1);
  CHECK(s.Term(5).status().code() == Code::kCompacted);
  CHECK(s.Entries(6, 8, UINT64_MAX).status().code() == Code::kCompacted);
  CHECK(s.Entries(7, 8, UINT64_MAX)->size() == 1);
  CHECK(s.Compact(6).code() == Code::kCompacted);
  CHECK(s.InitialState()->conf_state.voters == std::vector<raft::NodeId>{1, 2, 3});
  s.Append(Ents(3, 12, 1));  // entries before the snapshot are ignored
  CHECK(*s.FirstIndex() == 7);
  CHECK(*s.LastIndex() == 12);
}

TEST_CASE("storage: applying a snapshot replaces the log; an older snapshot is refused") {
  raft::MemoryStorage s;
  s.Append(Ents(1, 3, 1));
  raft::Snapshot snap;
  snap.metadata.index = 20;
  snap.metadata.term = 4;
  REQUIRE(s.ApplySnapshot(snap).ok());
  CHECK(*s.FirstIndex() == 21);
  CHECK(*s.LastIndex() == 20);
  CHECK(*s.Term(20) == 4);
  snap.metadata.index = 10;
  CHECK(s.ApplySnapshot(snap).code() == Code::kInvalidArgument);
}

TEST_CASE("messages: a conf change survives encoding, and garbage is reported as corruption") {
  raft::ConfChange cc{raft::ConfChangeType::kRemoveNode, 0x1122334455667788ULL, "ctx"};
  auto back = raft::DecodeConfChange(raft::EncodeConfChange(cc));
  REQUIRE(back.ok());
  CHECK(*back == cc);
  CHECK(raft::DecodeConfChange("x").status().code() == Code::kCorruption);
}
}

}  // namespace raft_test
