// Node helpers: child lookup, detaching and the NodeExtern copy.
#include "server/store/node.h"

#include <algorithm>
#include <cassert>

#include "server/store/path.h"

namespace store::internal {

std::string Node::Path() const {
  if (parent == nullptr) return "/";
  size_t size = 0;
  for (const Node* n = this; n->parent != nullptr; n = n->parent) size += 1 + n->name.size();
  std::string path(size, '/');
  for (const Node* n = this; n->parent != nullptr; n = n->parent) {
    size -= n->name.size();
    std::copy(n->name.begin(), n->name.end(), path.begin() + size);
    --size;  // the '/' before the name is already in place
  }
  return path;
}

bool Node::PathLess(const Node& other) const {
  const Node* a = this;
  const Node* b = &other;
  if (a == b) return false;
  // Lift the deeper one to the other's depth: if they meet, one path is a
  // prefix of the other, and the shorter sorts first.
  const bool b_lifted = b->depth > a->depth;
  while (a->depth > b->depth) a = a->parent;
  while (b->depth > a->depth) b = b->parent;
  if (a == b) return b_lifted;
  while (a->parent != b->parent) {
    a = a->parent;
    b = b->parent;
  }
  // Two siblings: the paths agree up to the '/' before their names. A name
  // that is a prefix of the other is followed by '/' or by the path's end.
  const bool a_more = a != this, b_more = b != &other;
  const std::string_view x = a->name, y = b->name;
  const size_t n = std::min(x.size(), y.size());
  const int c = x.substr(0, n).compare(y.substr(0, n));
  if (c != 0) return c < 0;
  if (x.size() < y.size()) return !a_more || '/' < static_cast<unsigned char>(y[n]);
  if (y.size() < x.size()) return b_more && static_cast<unsigned char>(x[n]) < '/';
  return false;  // siblings never share a name
}

Node* Node::Child(std::string_view child_name) const {
  auto it = children.find(child_name);
  return it == children.end() ? nullptr : it->second.get();
}

Node* Node::AddChild(std::unique_ptr<Node> child) {
  Node* raw = child.get();
  auto [it, inserted] = children.emplace(raw->name, std::move(child));
  assert(inserted && "the caller checked that the name is free");
  (void)it;
  (void)inserted;
  return raw;
}

std::unique_ptr<Node> Node::Detach() {
  assert(parent != nullptr);
  auto it = parent->children.find(name);
  assert(it != parent->children.end() && it->second.get() == this);
  std::unique_ptr<Node> self = std::move(it->second);
  parent->children.erase(it);
  parent = nullptr;
  return self;
}

NodeExtern Node::Repr(std::string path, bool with_children, bool recursive) const {
  NodeExtern out;
  out.key = std::move(path);
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
  for (const auto& [child_name, child] : children) {
    if (child->IsHidden()) continue;
    out.nodes.push_back(child->Repr(JoinPath(out.key, child_name), recursive, recursive));
  }
  return out;
}

}  // namespace store::internal
