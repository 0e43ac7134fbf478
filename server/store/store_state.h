// Everything a Store guards with its lock, and the tree operations the public
// methods are built from (etcd's internalGet, checkDir walk, node removal,
// TTL updates, publishing an event). Every method needs the store lock: shared
// for const ones, exclusive for the others.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "server/store/errors.h"
#include "server/store/event_history.h"
#include "server/store/node.h"
#include "server/store/ttl_heap.h"
#include "server/store/watcher_hub.h"

namespace store::internal {

constexpr size_t kHistoryCapacity = 1000;
// Expire times before 2000-01-01T00:00:00Z mean "permanent" on create/set.
constexpr int64_t kMinExpireNs = 946684800LL * 1000000000LL;

struct StoreState {
  StoreState();

  // Stamps events with the time they happened (rendering only; never state).
  std::function<int64_t()> event_clock;
  EventPtr Share(Event e) const {
    if (event_clock) e.happened_ns = event_clock();
    return std::make_shared<const Event>(std::move(e));
  }

  // An error naming `path` (as the user sees it) at the current index.
  V2Error PathError(int code, std::string_view path) const;
  // The node at `path`: 100 (first missing path) or 104 (the key on the way).
  V2Result<Node*> Find(std::string_view path) const;
  // The dir at `dir_path`, creating missing dirs at index current_index + 1;
  // 104 when a key is on the way.
  V2Result<Node*> EnsureDir(std::string_view dir_path);
  // Removes `n` (whose full path is `path`) and its subtree: drops TTLs and
  // tells the watchers of every removed path (deepest first, as etcd does)
  // about `e`. `n` must not be the root.
  void RemoveSubtree(Node* n, std::string path, const EventPtr& e);
  // etcd's UpdateTTL: 0 makes the node permanent.
  void SetExpire(Node* n, int64_t expire_ns);
  // Adds `e` to history and, unless it is a refresh, delivers it.
  void Publish(const EventPtr& e);

  static bool IsReadOnly(std::string_view path) {
    return path == "/" || path == "/0" || path == "/1";
  }

  mutable std::shared_mutex mu;
  std::string tracked_prefix;               // Store::TrackChanges; "" = none
  std::atomic<uint64_t> tracked_changes{0};  // written under mu, read without it
  std::unique_ptr<Node> root;    // "/" with the namespaces "/0" (membership) and "/1" (keys)
  uint64_t current_index = 0;    // index of the last mutation
  TtlHeap ttl_heap;              // every node with expire_ns != 0
  EventHistory history{kHistoryCapacity};
  WatcherHub hub{&mu};
};

}  // namespace store::internal
