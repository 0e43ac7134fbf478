// LogWriter: makes writes to a member's SqliteStorage durable on a thread of
// its own, so the raft loop goes on while its fsync runs: it keeps sending,
// counts the followers' acks and answers what a quorum already holds. A
// leader whose disk stalls is then outvoted by two followers instead of
// holding up every commit (raft thesis §10.2.1).
//
// Writes are done in submission order. Everything queued while one
// transaction runs goes into the next one: one fsync for many Readies
// (group commit). After a failed write every later one fails too, so the
// log on disk never has a hole. An empty write does no I/O: its callback
// only runs after every earlier write is durable (a barrier).
//
// Threads: Submit and Drain are safe from any thread; callbacks run on the
// writer thread, in order, and must not block. The destructor finishes what
// is queued and joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "common/status.h"
#include "server/storage/sqlite_storage.h"

namespace storage {

class LogWriter {
 public:
  using Done = std::function<void(const common::Status&)>;
  // Submit waits while this much is queued: a disk slower than the proposals
  // slows the proposer down instead of filling memory.
  static constexpr size_t kMaxQueuedBytes = 64 << 20;

  explicit LogWriter(SqliteStorage& disk);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void Submit(Write write, Done done);
  // Waits until everything submitted so far is done; the first error, if any.
  common::Status Drain();

 private:
  void Run();

  SqliteStorage& disk_;
  std::mutex mu_;
  std::condition_variable work_cv_;  // queue_ got something, or stopping_
  std::condition_variable done_cv_;  // a batch finished
  std::deque<std::pair<Write, Done>> queue_;  // GUARDED_BY(mu_)
  size_t queued_bytes_ = 0;                   // GUARDED_BY(mu_)
  bool busy_ = false;                         // GUARDED_BY(mu_): a batch is being written
  bool stopping_ = false;                     // GUARDED_BY(mu_)
  common::Status failed_;                     // GUARDED_BY(mu_): sticky
  std::thread thread_;  // last: starts after every field is set
};

}  // namespace storage
