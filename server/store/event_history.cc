// The event ring and its scan for watches that start in the past.
#include "server/store/event_history.h"

#include <cassert>

namespace store::internal {
namespace {

bool Matches(const Event& e, const std::string& key, bool recursive) {
  if (e.node.key == key) return true;
  if (recursive) {
    const size_t n = key.size();
    const bool below = key == "/" ? e.node.key.size() > 1
                                  : e.node.key.size() > n && e.node.key.compare(0, n, key) == 0 &&
                                        e.node.key[n] == '/';
    if (below) return true;
  }
  // etcd compares the deleted dir as a plain string prefix, so deleting
  // "/1/fo" also matches a history watch on "/1/foo" (a quirk kept on purpose).
  if ((e.action == "delete" || e.action == "expire") && e.prev_node && e.prev_node->dir) {
    const std::string& dir = e.prev_node->key;
    if (key.compare(0, dir.size(), dir) == 0) return true;
  }
  return false;
}

}  // namespace

EventHistory::EventHistory(size_t capacity) : ring_(capacity) { assert(capacity > 0); }

void EventHistory::Add(EventPtr event) {
  last_index_ = event->Index();
  if (size_ < ring_.size()) {
    ring_[(front_ + size_) % ring_.size()] = std::move(event);
    ++size_;
  } else {
    ring_[front_] = std::move(event);
    front_ = (front_ + 1) % ring_.size();
  }
  start_index_ = ring_[front_]->Index();
}

V2Result<EventPtr> EventHistory::Scan(const std::string& key, bool recursive,
                                      uint64_t since_index) const {
  if (since_index < start_index_) {
    return V2Error{kEcodeEventIndexCleared,
                   "the requested history has been cleared [" + std::to_string(start_index_) +
                       "/" + std::to_string(since_index) + "]",
                   0};
  }
  if (size_ == 0 || since_index > last_index_) return EventPtr();
  for (size_t i = since_index - start_index_; i < size_; ++i) {
    const EventPtr& e = At(i);
    if (!e->refresh && Matches(*e, key, recursive)) return e;
  }
  return EventPtr();
}

void EventHistory::Clear() {
  for (auto& e : ring_) e.reset();
  front_ = size_ = 0;
  start_index_ = last_index_ = 0;
}

}  // namespace store::internal
