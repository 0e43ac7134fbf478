// The v2 key store: a tree of keys and directories with one global index,
// TTLs as absolute expire times, a 1000-event history and a watcher hub.
// Semantics follow etcd 3.4's v2store (see shared/spec/keys-api.md).
//
// Deterministic: the store never reads a clock. Expire times arrive inside the
// requests, and keys expire only through DeleteExpiredKeys(cutoff), which the
// server calls when it applies a replicated SYNC entry.
//
// Paths are full store paths ("/1/foo" for user key "/foo", "/0/..." for
// membership); callers clean them first (CleanPath). Thread-safe: every public
// method takes the store's lock, so reads may run on I/O threads while the
// apply thread writes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"
#include "server/store/errors.h"
#include "server/store/event.h"

namespace store {

namespace internal {
struct StoreState;
}  // namespace internal

// etcd's path.Clean("/" + p): collapses "//", ".", ".."; never escapes the root.
std::string CleanPath(const std::string& p);

struct ExpireOptions {
  int64_t expire_ns = 0;  // absolute Unix ns; 0 = permanent
  bool refresh = false;   // keep the value, reset only the TTL; not delivered to watchers
};

// A registered watch. Thread-safe. The hub queues at most 100 events; on
// overflow it drops the watcher (removed() turns true and no more come; the
// queued events stay readable through Next()). A one-shot watcher turns
// removed() as its event is queued. Two etcd 3.4 behaviours are kept on
// purpose: a stream watch answered from history gets that one event and then
// nothing (removed() stays false, it is not counted in WatcherCount, the
// client's connection stays open); and a stream watcher on exactly a deleted
// or expired path gets that event twice.
class Watcher {
 public:
  virtual ~Watcher() = default;
  virtual std::optional<Event> Next() = 0;  // next queued event, if any
  virtual bool removed() const = 0;         // dropped or removed: nothing more will be queued
  virtual void Remove() = 0;                // unregister (client gone); idempotent
  virtual uint64_t start_index() const = 0; // store index when it was registered (X-Etcd-Index)
};
using WatcherPtr = std::shared_ptr<Watcher>;

// Counters of /v2/stats/store.
struct StoreStats {
  std::atomic<uint64_t> gets_success{0}, gets_fail{0}, sets_success{0}, sets_fail{0},
      delete_success{0}, delete_fail{0}, update_success{0}, update_fail{0},
      create_success{0}, create_fail{0}, compare_and_swap_success{0}, compare_and_swap_fail{0},
      compare_and_delete_success{0}, compare_and_delete_fail{0}, expire_count{0};
};

class Store {
 public:
  Store();
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Error causes are user-visible paths (see V2Error::cause); event keys are
  // full store paths. Listings are always sorted: `sorted` changes nothing.
  V2Result<Event> Get(const std::string& path, bool recursive, bool sorted);
  // Get without counting in the stats: the server's own reads of /0 (etcd
  // keeps membership in memory, so its /v2/stats/store never sees them).
  V2Result<Event> Peek(const std::string& path, bool recursive) const;
  V2Result<Event> Set(const std::string& path, bool dir, const std::string& value,
                      ExpireOptions expire);
  V2Result<Event> Create(const std::string& path, bool dir, const std::string& value,
                         bool unique, ExpireOptions expire);
  V2Result<Event> Update(const std::string& path, const std::string& value,
                         ExpireOptions expire);
  V2Result<Event> CompareAndSwap(const std::string& path, const std::string& prev_value,
                                 uint64_t prev_index, const std::string& value,
                                 ExpireOptions expire);
  V2Result<Event> Delete(const std::string& path, bool dir, bool recursive);
  V2Result<Event> CompareAndDelete(const std::string& path, const std::string& prev_value,
                                   uint64_t prev_index);

  // Registers a watch from `since_index` (0 = the next event). When history
  // already holds a matching event it is queued at once (its etcd_index is the
  // current index, as etcd answers). since_index older than the kept history
  // -> error 401 at the current index. `notify` runs under the store lock each
  // time an event is queued or the watcher is dropped (also inside Watch for a
  // history answer): it must be cheap, must not block and must not call into
  // the store or Watcher::Remove.
  V2Result<WatcherPtr> Watch(const std::string& path, bool recursive, bool stream,
                             uint64_t since_index, std::function<void()> notify);

  // Expires every node whose expire time is <= cutoff_ns, in expire-time
  // order, one `expire` event and one index each.
  void DeleteExpiredKeys(int64_t cutoff_ns);
  bool HasTtlKeys() const;

  // A wall clock used only to stamp events with when they happened, so their
  // ttl renders as etcd's does (frozen at apply). State never depends on it.
  void SetEventClock(std::function<int64_t()> clock);

  uint64_t Index() const;
  // Counts changes at or under `prefix` (a cleaned path such as "/2"): every
  // event on such a key (expiries and refreshes included) and every Recover
  // add one, under the store lock. ChangesUnder reads it without the lock,
  // so a cache of state kept there (auth under /2) checks it is current with
  // one atomic load: read the count first, then the store, and tag what was
  // read with that count. Call TrackChanges before other threads use the store.
  void TrackChanges(std::string prefix);
  uint64_t ChangesUnder() const;
  const StoreStats& stats() const { return stats_; }
  // /v2/stats/store body, in etcd's field order (includes "watchers"), no
  // trailing newline (etcd writes none there).
  std::string StatsJson() const;
  size_t WatcherCount() const;

  // Whole state (tree, TTLs, index, event history) as bytes, and back. A
  // recovered store answers exactly as the saved one did. Recover rejects
  // malformed input with Corruption and leaves the store unchanged.
  std::string Save() const;
  common::Status Recover(const std::string& data);

 private:
  // Shared so that a Watcher handed to another thread can still take the
  // store lock in Remove() (it holds a weak reference).
  std::shared_ptr<internal::StoreState> state_;
  mutable StoreStats stats_;
};

}  // namespace store
