// The watcher hub: registered watchers by watched path, and the delivery
// rules of etcd's v2 watches (exact, recursive, deleted ancestor, hidden
// nodes, one-shot vs stream, 100-event queues).
//
// Threads: every hub method runs under the store lock held exclusively (the
// hub keeps a pointer to it for Watcher::Remove). A watcher's queue has its
// own small mutex, taken after the store lock, so Next() never waits for the
// store.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "server/store/event_history.h"
#include "server/store/store.h"

namespace store::internal {

class WatcherHub;
class WatcherImpl;
using WatcherList = std::list<std::shared_ptr<WatcherImpl>>;

class WatcherImpl : public Watcher {
 public:
  static constexpr size_t kQueueCapacity = 100;

  WatcherImpl(std::string key, bool recursive, bool stream, uint64_t since_index,
              uint64_t start_index, std::function<void()> notify, std::weak_ptr<WatcherHub> hub);

  std::optional<Event> Next() override;
  bool removed() const override { return removed_.load(std::memory_order_acquire); }
  void Remove() override;
  uint64_t start_index() const override { return start_index_; }

 private:
  friend class WatcherHub;

  // Store lock held. Queues `e`; false when the queue is full.
  bool Queue(EventPtr e);
  void MarkRemoved() { removed_.store(true, std::memory_order_release); }

  const std::string key_;
  const bool recursive_;
  const bool stream_;
  const uint64_t since_index_;
  const uint64_t start_index_;
  const std::function<void()> notify_;
  const std::weak_ptr<WatcherHub> hub_;

  std::mutex mu_;
  std::deque<EventPtr> queue_;  // GUARDED_BY(mu_), at most kQueueCapacity
  std::atomic<bool> removed_{false};

  // Hub bookkeeping, guarded by the store lock.
  bool registered_ = false;
  WatcherList::iterator position_;
};

class WatcherHub {
 public:
  explicit WatcherHub(std::shared_mutex* store_mu) : store_mu_(store_mu) {}
  WatcherHub(const WatcherHub&) = delete;
  WatcherHub& operator=(const WatcherHub&) = delete;

  // Store lock held. Queues a history event at once (etcd then does not
  // register the watcher: a one-shot watch is done, a stream watch stays open
  // with nothing more to come), else registers the watcher for future events.
  void Add(const std::shared_ptr<WatcherImpl>& w, EventPtr from_history);

  // Store lock held. Delivers `e` to the watchers of the key and of every
  // ancestor path ("/", "/1", "/1/foo" for "/1/foo/bar").
  void Notify(const EventPtr& e);
  // Store lock held. Delivers `e` to the watchers of exactly `path`;
  // `deleted` marks a node removed by e (then non-recursive watchers match).
  void NotifyWatchers(const EventPtr& e, std::string_view path, bool deleted);

  size_t count() const { return count_; }
  bool empty() const { return watchers_.empty(); }
  std::shared_mutex* store_mu() const { return store_mu_; }

  // Store lock held. Unregisters `w` if it still is registered.
  void Unregister(WatcherImpl* w);

 private:
  // Takes `w` out of `list` (the list of its key); the caller erases an
  // emptied list.
  void Unlink(WatcherList& list, WatcherImpl* w);

  std::shared_mutex* const store_mu_;
  std::map<std::string, WatcherList, std::less<>> watchers_;
  size_t count_ = 0;
};

}  // namespace store::internal
