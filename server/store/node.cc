// Node helpers: child lookup, detaching and the NodeExtern copy.
#include "server/store/node.h"

#include <cassert>

#include "server/store/path.h"

namespace store::internal {

std::string_view Node::Name() const { return BaseName(path); }

bool Node::IsHidden() const { return IsHiddenName(path); }

Node* Node::Child(std::string_view name) const {
  auto it = children.find(name);
  return it == children.end() ? nullptr : it->second.get();
}

Node* Node::AddChild(std::unique_ptr<Node> child) {
  Node* raw = child.get();
  auto [it, inserted] = children.emplace(raw->Name(), std::move(child));
  assert(inserted && "the caller checked that the name is free");
  (void)it;
  (void)inserted;
  return raw;
}

std::unique_ptr<Node> Node::Detach() {
  assert(parent != nullptr);
  auto it = parent->children.find(Name());
  assert(it != parent->children.end() && it->second.get() == this);
  std::unique_ptr<Node> self = std::move(it->second);
  parent->children.erase(it);
  parent = nullptr;
  return self;
}

NodeExtern Node::Repr(bool with_children, bool recursive) const {
  NodeExtern out;
  out.key = path;
  out.dir = dir;
  out.expire_ns = expire_ns;
  out.modified_index = modified_index;
  out.created_index = created_index;
  if (!dir) {
    out.value = value;
    return out;
  }
  if (!with_children) return out;
  out.nodes.reserve(children.size());
  for (const auto& [name, child] : children) {
    if (child->IsHidden()) continue;
    out.nodes.push_back(child->Repr(recursive, recursive));
  }
  return out;
}

}  // namespace store::internal
