// The ring of the last `capacity` events (etcd keeps 1000), used to answer
// watches that start in the past. Events carry consecutive indexes (every
// mutation adds exactly one). Touched only under the store lock.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/store/errors.h"
#include "server/store/event.h"

namespace store::internal {

using EventPtr = std::shared_ptr<const Event>;

class EventHistory {
 public:
  explicit EventHistory(size_t capacity);

  void Add(EventPtr event);

  // The first non-refresh event with index >= since_index that matches `key`
  // (exactly; below it when recursive; or a deleted/expired ancestor dir),
  // nullptr when none is kept yet. since_index older than the oldest kept
  // event -> error 401 (its index is left 0 for the caller to fill).
  V2Result<EventPtr> Scan(const std::string& key, bool recursive, uint64_t since_index) const;

  uint64_t start_index() const { return start_index_; }
  uint64_t last_index() const { return last_index_; }
  size_t size() const { return size_; }
  size_t capacity() const { return ring_.size(); }
  // The i-th oldest kept event, i < size().
  const EventPtr& At(size_t i) const { return ring_[(front_ + i) % ring_.size()]; }
  void Clear();

 private:
  std::vector<EventPtr> ring_;
  size_t front_ = 0;  // oldest event
  size_t size_ = 0;
  uint64_t start_index_ = 0;  // index of the oldest kept event (0 while empty)
  uint64_t last_index_ = 0;   // index of the newest kept event
};

}  // namespace store::internal
