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
  // Children keyed by name; the key views the child's own `name`, which never
  // changes while the child lives. std::map keeps listings sorted bytewise,
  // which is also the (deterministic) unsorted order.
  using Children = std::map<std::string_view, std::unique_ptr<Node>, std::less<>>;

  Node(std::string name, bool dir, uint64_t index, int64_t expire_ns, Node* parent)
      : name(std::move(name)), dir(dir), depth(parent == nullptr ? 0 : parent->depth + 1),
        created_index(index), modified_index(index), expire_ns(expire_ns), parent(parent) {}
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Only the last segment: a node's full path is its parents' names joined,
  // so memory grows with the length of the keys, not with depth squared.
  const std::string name;  // "" for the root
  const bool dir;
  const uint32_t depth;    // segments in the full path: 0 for the root
  uint64_t created_index;
  uint64_t modified_index;
  int64_t expire_ns;       // 0 = permanent
  std::string value;       // keys only
  Children children;       // dirs only
  Node* parent;            // nullptr for the root

  bool IsHidden() const { return !name.empty() && name[0] == '_'; }
  bool IsPermanent() const { return expire_ns == 0; }
  // The full store path ("/" for the root), built by walking up the parents.
  std::string Path() const;

  // Whether this node's full path sorts bytewise before `other`'s, found
  // without building them: in steps up to their closest common ancestor.
  bool PathLess(const Node& other) const;

  Node* Child(std::string_view child_name) const;
  Node* AddChild(std::unique_ptr<Node> child);
  // Takes this node out of its parent and returns the ownership.
  std::unique_ptr<Node> Detach();

  // The node as etcd shows it, `path` being its full path: visible
  // (non-hidden) children are listed for a dir when `with_children`; below
  // that level only when `recursive`.
  NodeExtern Repr(std::string path, bool with_children, bool recursive) const;
};

}  // namespace store::internal
