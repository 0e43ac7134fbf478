// The nodes that have an expire time, ordered by (expire time, path) so that
// expiry order is deterministic on every member. Touched only under the store
// lock. A node's expire_ns must not change while it is in the heap: Remove it,
// change it, Push it again.
#pragma once

#include <cstddef>
#include <set>
#include <string_view>

#include "server/store/node.h"

namespace store::internal {

class TtlHeap {
 public:
  void Push(Node* node) { set_.insert(node); }
  void Remove(Node* node) {
    auto it = set_.find(node);
    if (it != set_.end() && *it == node) set_.erase(it);
  }
  // The node that expires first, or nullptr.
  Node* Top() const { return set_.empty() ? nullptr : *set_.begin(); }
  size_t size() const { return set_.size(); }
  void Clear() { set_.clear(); }

 private:
  struct ByExpireThenPath {
    bool operator()(const Node* a, const Node* b) const {
      if (a->expire_ns != b->expire_ns) return a->expire_ns < b->expire_ns;
      return a->PathLess(*b);
    }
  };
  std::set<Node*, ByExpireThenPath> set_;
};

}  // namespace store::internal
