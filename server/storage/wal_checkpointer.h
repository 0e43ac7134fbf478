// WalCheckpointer: copies SQLite's write-ahead log back into the database
// file mostly on a thread of its own, so the writer's commits (the raft
// loop's fsyncs) do not carry SQLite's automatic checkpoint of ~1000 pages.
//
// The writer's connection replaces its automatic checkpoint by a WAL hook
// that calls OnCommit(pages) after each commit. Past kCheckpointPages the
// thread runs PASSIVE checkpoints on its own connection (they never block
// the writer) until only a short tail is left; the WAL can only restart
// from its beginning once it is wholly copied, which a busy writer never
// lets a concurrent checkpoint see, so OnCommit then tells the writer to
// copy that tail itself (a few pages). A checkpoint does not touch
// durability: every commit is already fsynced in the WAL.
//
// A checkpoint that fails for any reason but contention (an I/O error, a
// full disk) means the disk can no longer be trusted: failure() reports it
// from then on, and the storage fails every later write with it.
//
// Threads: OnCommit is safe from any thread; the destructor stops and joins.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace storage {

class WalCheckpointer {
 public:
  static constexpr int kCheckpointPages = 1000;  // SQLite's own default
  static constexpr int kTailPages = 64;          // left for the writer to copy

  // Opens its own connection to `path` (which must exist, in WAL mode).
  explicit WalCheckpointer(std::string path);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // After a commit that left `pages` pages in the WAL: true when the
  // caller should now run a PASSIVE checkpoint itself (the tail).
  bool OnCommit(int pages);
  // Records a failed checkpoint the writer ran itself (rc from SQLite).
  void OnCheckpoint(int rc, sqlite3* conn);
  // The first failed checkpoint, or OK.
  common::Status failure();

 private:
  void Run();
  void Fail(const std::string& error);

  const std::string path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;         // GUARDED_BY(mu_): the thread has work
  bool tail_ready_ = false;  // GUARDED_BY(mu_): only the tail is left
  bool stopping_ = false;    // GUARDED_BY(mu_)
  common::Status failure_;   // GUARDED_BY(mu_)
  std::thread thread_;       // last: starts after every field is set
};

}  // namespace storage
