// Tree walking, removal, TTL bookkeeping and event publishing; see store_state.h.
#include "server/store/store_state.h"

#include <algorithm>

#include "server/store/path.h"

namespace store::internal {
namespace {

// Calls fn(segment, path up to and including it) for each segment of a clean
// path, then fn("", path); stops at the first error and returns it.
template <typename Fn>
auto ForEachSegment(std::string_view path, Fn&& fn) -> decltype(fn(path, path)) {
  size_t pos = 1;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    auto r = fn(path.substr(pos, slash - pos), path.substr(0, slash));
    if (!r.ok()) return r;
    pos = slash + 1;
  }
  return fn(std::string_view(), path);
}

}  // namespace

StoreState::StoreState() {
  root = std::make_unique<Node>("", true, 0, 0, nullptr);
  root->AddChild(std::make_unique<Node>("0", true, 0, 0, root.get()));
  root->AddChild(std::make_unique<Node>("1", true, 0, 0, root.get()));
}

V2Error StoreState::PathError(int code, std::string_view path) const {
  return V2Error{code, UserCause(path), current_index};
}

V2Result<Node*> StoreState::Find(std::string_view path) const {
  Node* cur = root.get();
  std::string_view cur_path = "/";
  return ForEachSegment(path, [&](std::string_view name, std::string_view up_to) -> V2Result<Node*> {
    if (name.empty()) return cur;  // end of the path
    if (!cur->dir) return PathError(kEcodeNotDir, cur_path);
    Node* child = cur->Child(name);
    if (child == nullptr) return PathError(kEcodeKeyNotFound, up_to);
    cur = child;
    cur_path = up_to;
    return cur;
  });
}

V2Result<Node*> StoreState::EnsureDir(std::string_view dir_path) {
  Node* cur = root.get();
  return ForEachSegment(dir_path, [&](std::string_view name, std::string_view up_to) -> V2Result<Node*> {
    if (name.empty()) return cur;
    Node* child = cur->Child(name);
    if (child == nullptr) {
      child = cur->AddChild(
          std::make_unique<Node>(std::string(name), true, current_index + 1, 0, cur));
    } else if (!child->dir) {
      return PathError(kEcodeNotDir, up_to);
    }
    cur = child;
    return cur;
  });
}

void StoreState::RemoveSubtree(Node* top, std::string path, const EventPtr& e) {
  // Post-order without recursion: children first, so watchers see the
  // deepest paths first, as in etcd. `path` follows `n`.
  Node* n = top;
  for (;;) {
    if (!n->children.empty()) {
      n = n->children.begin()->second.get();
      if (path.size() > 1) path.push_back('/');
      path.append(n->name);
      continue;
    }
    Node* parent = n->parent;
    if (!n->IsPermanent()) ttl_heap.Remove(n);
    if (!hub.empty()) hub.NotifyWatchers(e, path, /*deleted=*/true);
    const bool done = n == top;
    n->Detach();  // destroys n
    if (done) return;
    path.resize(std::max<size_t>(path.rfind('/'), 1));
    n = parent;
  }
}

void StoreState::SetExpire(Node* n, int64_t expire_ns) {
  if (!n->IsPermanent()) ttl_heap.Remove(n);
  n->expire_ns = expire_ns;
  if (!n->IsPermanent()) ttl_heap.Push(n);
}

void StoreState::Publish(const EventPtr& e) {
  if (!tracked_prefix.empty()) {
    const std::string& k = e->node.key;
    if (k.compare(0, tracked_prefix.size(), tracked_prefix) == 0 &&
        (k.size() == tracked_prefix.size() || k[tracked_prefix.size()] == '/')) {
      tracked_changes.fetch_add(1, std::memory_order_release);
    }
  }
  history.Add(e);
  if (!e->refresh) hub.Notify(e);
}

}  // namespace store::internal
