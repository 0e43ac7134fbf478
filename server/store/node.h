// One node of the v2 tree: a key (value) or a directory (children), with its
// indexes and absolute expire time. Owned by its parent; touched only under
// the store lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "server/store/event.h"

namespace store::internal {

struct Node {
  // Children keyed by name; the key views the child's own `path`, which never
  // changes while the child lives. std::map keeps listings sorted bytewise,
  // which is also the (deterministic) unsorted order.
  using Children = std::map<std::string_view, std::unique_ptr<Node>, std::less<>>;

  Node(std::string path, bool dir, uint64_t index, int64_t expire_ns, Node* parent)
      : path(std::move(path)), dir(dir), created_index(index), modified_index(index),
        expire_ns(expire_ns), parent(parent) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const std::string path;  // full store path, "/" for the root
  const bool dir;
  uint64_t created_index;
  uint64_t modified_index;
  int64_t expire_ns;       // 0 = permanent
  std::string value;       // keys only
  Children children;       // dirs only
  Node* parent;            // nullptr for the root

  std::string_view Name() const;
  bool IsHidden() const;
  bool IsPermanent() const { return expire_ns == 0; }

  Node* Child(std::string_view name) const;
  Node* AddChild(std::unique_ptr<Node> child);
  // Takes this node out of its parent and returns the ownership.
  std::unique_ptr<Node> Detach();

  // The node as etcd shows it: visible (non-hidden) children are listed for a
  // dir when `with_children`; below that level only when `recursive`.
  NodeExtern Repr(bool with_children, bool recursive) const;
};

}  // namespace store::internal
