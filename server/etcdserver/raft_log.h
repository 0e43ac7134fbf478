// The member's raft log: raft reads it from memory (raft::MemoryStorage, the
// entries since the last compaction), updated at once, while a LogWriter
// makes each Ready durable in SQLite on its own thread (fsynced, several
// Readies per transaction), as etcd keeps a WAL beside raft's MemoryStorage.
// Restore() rebuilds memory from disk.
//
// Not thread-safe: owned by the server's loop thread. Restore and Empty
// read the disk directly, so they come before the first write.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/raft/memory_storage.h"
#include "server/raft/messages.h"
#include "server/storage/log_writer.h"
#include "server/storage/sqlite_storage.h"

namespace etcdserver {

std::string EncodeConfState(const raft::ConfState& cs);
common::Result<raft::ConfState> DecodeConfState(const std::string& bytes);

class RaftLog {
 public:
  using Done = storage::LogWriter::Done;
  explicit RaftLog(storage::SqliteStorage& disk) : disk_(disk), writer_(disk) {}
  RaftLog(const RaftLog&) = delete;
  RaftLog& operator=(const RaftLog&) = delete;

  // Loads the snapshot, the entries after it and the hard state into memory.
  // Returns the snapshot (empty when there is none) for the state machine.
  common::Result<raft::Snapshot> Restore();
  bool Empty();  // nothing on disk: a new member

  // Makes one Ready's output (snapshot, entries, hard state) visible to raft
  // at once and queues its write; `done` runs on the writer thread once it
  // and every earlier write are durable, or with the error. With nothing
  // to write, `done` is only a barrier behind the earlier writes.
  common::Status Persist(const std::optional<raft::HardState>& hard_state,
                         const std::vector<raft::Entry>& entries, const raft::Snapshot& snapshot,
                         Done done);
  // A hard state whose only change is the commit index needs no write of its
  // own: it is kept in memory and goes out with a later Persist.
  void DeferHardState(const raft::HardState& hard_state);

  // Records a snapshot of the state machine at `index` and drops entries
  // before `index - keep` (so slow followers can still catch up by log);
  // the disk write is queued like Persist's.
  common::Status Snapshot(uint64_t index, const raft::ConfState& cs, std::string data, uint64_t keep,
                          Done done);
  // --force-new-cluster, before the node starts: every entry in the log
  // counts as committed (in memory: what a leader elected from this log
  // would commit), then AppendCommitted puts `entries` after them,
  // committed too, and returns once that is durable.
  void CommitAll();
  common::Status AppendCommitted(const std::vector<raft::Entry>& entries);
  // Waits until every queued write is durable; the first write error, if any.
  common::Status Drain() { return writer_.Drain(); }

  const raft::Storage& storage() const { return memory_; }
  uint64_t snapshot_index() const { return snapshot_index_; }

 private:
  storage::SqliteStorage& disk_;
  raft::MemoryStorage memory_;
  uint64_t snapshot_index_ = 0;
  // Term and vote reach the disk with the Ready that changed them. The commit
  // index need not (raft keeps it as volatile state; a restarted member
  // learns it again and re-applies the rest), so it is written with them,
  // with a snapshot, or at most every kCommitWriteInterval: that saves a
  // page in most commits and bounds what a restart applies late.
  static constexpr std::chrono::milliseconds kCommitWriteInterval{1000};
  std::optional<storage::HardState> HardStateToWrite(bool with_snapshot);
  std::optional<raft::HardState> latest_;   // what raft has now
  std::optional<raft::HardState> written_;  // what is on disk (or queued)
  std::chrono::steady_clock::time_point written_at_;
  storage::LogWriter writer_;  // last: its thread ends before the rest goes
};

}  // namespace etcdserver
