// CommitNotices: a leader holds back its commit-only appends (raft::Message
// commit_only) for a moment. Under load the next append with entries, which
// carries the newer commit index, follows within a client round trip and
// makes the held one needless: one message per follower and round instead
// of two, and a follower wakes once per round. A held notice goes out when
// its time is up; a follower that forwards proposals or read requests gets
// its notices at once, since its clients wait until it applies.
//
// Followers then learn a commit index up to `hold` later: plain GETs and
// watches on them lag the leader by that much more (etcd gives no bound).
//
// Not thread-safe: owned by the raft loop. Time comes from the caller.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "server/raft/messages.h"

namespace etcdserver {

class CommitNotices {
 public:
  using Clock = std::chrono::steady_clock;
  // A follower that forwarded a proposal or read this recently waits for
  // commits: its notices are not held.
  static constexpr std::chrono::milliseconds kProposerWindow{1000};
  // Forwarders remembered at once: senders are members, but the map must not
  // grow with whatever ids arrive. Beyond it a new forwarder's notices are
  // held like anyone's until older entries expire.
  static constexpr size_t kMaxForwarders = 256;

  explicit CommitNotices(std::chrono::microseconds hold) : hold_(hold) {}

  // Messages that arrived from peers.
  void Received(const std::vector<raft::Message>& msgs, Clock::time_point now);
  // Messages raft wants sent: returns those to send now and keeps the
  // notices it holds. An append to a follower replaces its held notice.
  std::vector<raft::Message> Filter(std::vector<raft::Message> msgs, Clock::time_point now);
  // When the next held notice is due; none while nothing is held.
  std::optional<Clock::time_point> Due() const;
  // The held notices due by `now`.
  std::vector<raft::Message> TakeDue(Clock::time_point now);
  // Forgets what is held (this member no longer leads).
  void Clear() { held_.clear(); }
  size_t forwarders() const { return last_forward_.size(); }

 private:
  struct Held {
    raft::Message msg;
    Clock::time_point due;
  };
  // Whether `follower` forwarded a proposal or read within kProposerWindow.
  bool Forwards(raft::NodeId follower, Clock::time_point now) const;
  void RememberForwarder(raft::NodeId follower, Clock::time_point now);

  std::chrono::microseconds hold_;
  std::map<raft::NodeId, Held> held_;
  std::map<raft::NodeId, Clock::time_point> last_forward_;  // follower -> when it last forwarded
};

}  // namespace etcdserver
