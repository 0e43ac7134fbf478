// Events and node snapshots returned by the store, and their JSON rendering
// exactly as etcd prints them. Plain values (copied out of the tree), so they
// can be rendered on any thread after the store lock is released.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace store {

// A copy of one node (and, for listings, its visible children).
struct NodeExtern {
  std::string key;                   // full store path, e.g. "/1/foo"; "/" for the root
  std::optional<std::string> value;  // keys only (may be ""); absent for dirs and deleted nodes
  bool dir = false;
  int64_t expire_ns = 0;             // absolute Unix time in ns; 0 = permanent
  std::vector<NodeExtern> nodes;     // children, when listed
  uint64_t modified_index = 0;
  uint64_t created_index = 0;
};

struct Event {
  std::string action;  // get set create update delete expire compareAndSwap compareAndDelete
  NodeExtern node;
  std::optional<NodeExtern> prev_node;
  uint64_t etcd_index = 0;  // store index right after the operation (X-Etcd-Index)
  bool refresh = false;     // a TTL refresh: kept in history, never delivered to watchers
  // Wall-clock time the event happened, when the store has an event clock:
  // its ttl fields render as of then (etcd freezes them when applying), also
  // when a watch replays it from history. 0: render as of the caller's now.
  int64_t happened_ns = 0;

  uint64_t Index() const { return node.modified_index; }
  bool IsCreated() const;   // 201 vs 200: action create, or set with no prev_node
};

// JSON of an event as etcd 3.4 prints it (field order, omitted fields, Go
// string escaping, RFC 3339 UTC expiration, ttl = ceil((expire - now) / 1s),
// omitted when 0, negative for an expired key not yet swept), ending in "\n".
// The prevNode of an `expire` event never shows a ttl (etcd computes it at
// the sweep, when it is 0). `strip_prefix` (e.g. "/1") is removed from every key; a key
// that becomes empty (the root) is omitted. With `no_value` only the action is
// printed ({"action":"set"}), for noValueOnSuccess.
std::string EventJson(const Event& event, int64_t now_ns, std::string_view strip_prefix,
                      bool no_value = false);

}  // namespace store
