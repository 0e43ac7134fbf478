// SnapshotReceiver: puts snapshot uploads (POST /raft/snapshot chunks, see
// snapshot_chunk.h) back together, one file per sending member in a spool
// directory, and hands back the MsgSnap once the whole data is in and
// matches its SHA-256. The upload's message must pass `check` before any
// data is taken; the caller checks the complete MsgSnap, data included,
// before raft or the member's log sees it.
//
// Bounds: one upload per sender (a new first chunk replaces the old upload);
// a chunk carries at most max_chunk_bytes; an upload declares its size up
// front and is refused when that exceeds max_total_bytes (default: this
// machine's physical memory, since the data is held in memory to be
// installed) or the free space left in the spool directory by the uploads
// in progress. An upload idle for idle_timeout, refused, or superseded is
// deleted; leftovers of an earlier run are deleted at construction.
//
// Threads: not thread-safe; one thread at a time (SnapshotInbox's worker).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "server/raft/messages.h"

namespace transport {

class SnapshotReceiver {
 public:
  using Clock = std::chrono::steady_clock;
  struct Limits {
    uint64_t max_total_bytes = 0;  // 0: physical memory
    uint64_t max_chunk_bytes = 16 << 20;
    std::chrono::seconds idle_timeout{60};
  };
  // The answer to one chunk: 204 (taken; `snapshot` holds the MsgSnap when
  // it was the last one), or an error status with its reason (for the
  // caller to answer and log), the sender's upload then deleted: 400
  // malformed chunk, bad message or digest mismatch; 409 a chunk of no
  // upload in progress or out of order; 413 a chunk or snapshot over the
  // limits; 507 not enough free disk; 500 a local I/O error; or what `check`
  // answers.
  struct Outcome {
    int status = 204;
    std::string error;
    std::optional<raft::Message> snapshot;
  };
  // Checks the MsgSnap (its data not in yet) an upload from member `from`
  // begins with: 204 to take the upload, else the refusal.
  using Check = std::function<Outcome(uint64_t from, const raft::Message&)>;

  SnapshotReceiver(std::string spool_dir, Limits limits, Check check);
  ~SnapshotReceiver();  // deletes the uploads in progress
  SnapshotReceiver(const SnapshotReceiver&) = delete;
  SnapshotReceiver& operator=(const SnapshotReceiver&) = delete;

  Outcome Receive(uint64_t from, std::string_view body, Clock::time_point now);
  // Deletes uploads that received nothing for idle_timeout.
  void Expire(Clock::time_point now);
  size_t uploads() const { return uploads_.size(); }

 private:
  struct Upload;
  Outcome Refuse(uint64_t from, int status, const std::string& why);
  Outcome Begin(uint64_t from, uint64_t upload, uint64_t total, const std::string& digest,
                const std::string& message, Clock::time_point now);
  Outcome Finish(uint64_t from);
  void Drop(uint64_t from);
  uint64_t BytesStillExpected() const;

  const std::string dir_;
  const Limits limits_;
  const Check check_;
  std::map<uint64_t, std::unique_ptr<Upload>> uploads_;  // by sender
};

}  // namespace transport
