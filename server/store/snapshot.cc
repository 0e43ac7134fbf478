// Store::Save / Store::Recover: the whole store state (tree with TTLs, index,
// event history) in a compact binary form:
//
//   "kvstore1" index:varint root:NODE history_count:varint EVENT*
//   NODE   = name:STR flags:u8(1=dir) created:varint modified:varint expire:zigzag
//            (dir: count:varint NODE* | key: value:STR)
//   EVENT  = action:STR flags:u8(1=refresh,2=prev,4=time) etcd_index:varint
//            [happened_ns:varint] EXTERN [EXTERN]
//            (the time keeps a replayed event's ttl as of when it happened)
//   EXTERN = key:STR flags:u8(1=dir,2=value) [value:STR] expire:zigzag modified:varint
//            created:varint count:varint EXTERN*
//   STR    = length:varint bytes
//
// Watchers are not part of the state: they stay registered across Recover.
//
// Recover trusts nothing (the bytes come from a peer or a disk): paths stay
// within key_limits.h (which also bounds the readers' recursion), names are valid and unique,
// the root is a permanent dir, counts are read one item at a time, and the
// history holds at most 1000 events with consecutive indexes.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "server/store/key_limits.h"
#include "server/store/path.h"
#include "server/store/store.h"
#include "server/store/store_state.h"

namespace store {

using internal::EventPtr;
using internal::Node;

namespace {

constexpr std::string_view kMagic = "kvstore1";
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void Zigzag(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  void Str(std::string_view s) {
    Varint(s.size());
    out_->append(s);
  }

  void TreeNode(const Node& n) {
    Str(n.name);
    Byte(n.dir ? 1 : 0);
    Varint(n.created_index);
    Varint(n.modified_index);
    Zigzag(n.expire_ns);
    if (!n.dir) {
      Str(n.value);
      return;
    }
    Varint(n.children.size());
    for (const auto& [name, child] : n.children) TreeNode(*child);
  }

  void Extern(const NodeExtern& n) {
    Str(n.key);
    Byte((n.dir ? 1 : 0) | (n.value ? 2 : 0));
    if (n.value) Str(*n.value);
    Zigzag(n.expire_ns);
    Varint(n.modified_index);
    Varint(n.created_index);
    Varint(n.nodes.size());
    for (const NodeExtern& child : n.nodes) Extern(child);
  }

  void EventRecord(const Event& e) {
    Str(e.action);
    Byte((e.refresh ? 1 : 0) | (e.prev_node ? 2 : 0) | (e.happened_ns > 0 ? 4 : 0));
    Varint(e.etcd_index);
    if (e.happened_ns > 0) Varint(static_cast<uint64_t>(e.happened_ns));
    Extern(e.node);
    if (e.prev_node) Extern(*e.prev_node);
  }

 private:
  std::string* out_;
};

// Reads the format above; every method returns false on malformed input.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool AtEnd() const { return in_.empty(); }
  // Whether TreeNode failed on a path over the key limits.
  bool over_key_limits() const { return over_key_limits_; }

  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      const uint8_t b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Zigzag(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Str(std::string_view* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size()) return false;
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  bool Str(std::string* s) {
    std::string_view v;
    if (!Str(&v)) return false;
    s->assign(v);
    return true;
  }

  // A child of `parent` (nullptr for the root), added to it; nodes with an
  // expire time go into `heap`. `depth` is the node's (0 for the root) and
  // `parent_bytes` the length of its parent's path (0 for the root's "/").
  bool TreeNode(Node* parent, size_t depth, size_t parent_bytes, std::unique_ptr<Node>* root,
                internal::TtlHeap* heap) {
    std::string_view name;
    uint8_t flags;
    uint64_t created, modified, count = 0;
    int64_t expire;
    if (depth > kMaxStorePathDepth) {
      over_key_limits_ = true;
      return false;
    }
    if (!Str(&name) || !Byte(&flags) || flags > 1 || !Varint(&created) ||
        !Varint(&modified) || !Zigzag(&expire)) {
      return false;
    }
    const bool dir = flags == 1;
    // The root is a permanent dir: expiring it would remove it from no parent.
    if (parent == nullptr ? (!name.empty() || !dir || expire != 0)
                          : (name.empty() || name.find('/') != std::string_view::npos ||
                             name == "." || name == ".." || parent->Child(name) != nullptr)) {
      return false;
    }
    const size_t path_bytes = parent == nullptr ? 0 : parent_bytes + 1 + name.size();
    if (path_bytes > kMaxStorePathBytes) {
      over_key_limits_ = true;
      return false;
    }
    auto node = std::make_unique<Node>(std::string(name), dir, created, expire, parent);
    node->modified_index = modified;
    Node* n = node.get();
    if (parent == nullptr) {
      *root = std::move(node);
    } else {
      parent->AddChild(std::move(node));
    }
    if (!n->IsPermanent()) heap->Push(n);
    if (!dir) return Str(&n->value);
    if (!Varint(&count)) return false;
    for (uint64_t i = 0; i < count; ++i) {
      if (!TreeNode(n, depth + 1, path_bytes, root, heap)) return false;
    }
    return true;
  }

  bool Extern(NodeExtern* n, size_t depth) {
    uint8_t flags;
    uint64_t count;
    if (depth > kMaxStorePathDepth || !Str(&n->key) || !Byte(&flags) || flags > 3) return false;
    n->dir = (flags & 1) != 0;
    if (flags & 2) {
      n->value.emplace();
      if (!Str(&*n->value)) return false;
    }
    if (!Zigzag(&n->expire_ns) || !Varint(&n->modified_index) || !Varint(&n->created_index) ||
        !Varint(&count)) {
      return false;
    }
    // One child at a time: memory follows the bytes actually read, never
    // the count a damaged or hostile snapshot claims.
    for (uint64_t i = 0; i < count; ++i) {
      NodeExtern child;
      if (!Extern(&child, depth + 1)) return false;
      n->nodes.push_back(std::move(child));
    }
    return true;
  }

  bool EventRecord(Event* e) {
    uint8_t flags;
    if (!Str(&e->action) || !Byte(&flags) || flags > 7 || !Varint(&e->etcd_index)) return false;
    if (flags & 4) {
      uint64_t happened;
      if (!Varint(&happened) || happened == 0 || happened > INT64_MAX) return false;
      e->happened_ns = static_cast<int64_t>(happened);
    }
    if (!Extern(&e->node, 0)) return false;
    e->refresh = (flags & 1) != 0;
    if (flags & 2) {
      e->prev_node.emplace();
      if (!Extern(&*e->prev_node, 0)) return false;
    }
    return true;
  }

 private:
  std::string_view in_;
  bool over_key_limits_ = false;
};

}  // namespace

std::string Store::Save() const {
  std::string out;
  std::shared_lock<std::shared_mutex> lock(state_->mu);
  const internal::StoreState& s = *state_;
  Writer w(&out);
  out.append(kMagic);
  w.Varint(s.current_index);
  w.TreeNode(*s.root);
  w.Varint(s.history.size());
  for (size_t i = 0; i < s.history.size(); ++i) w.EventRecord(*s.history.At(i));
  return out;
}

common::Status Store::Recover(const std::string& data) {
  auto corrupt = [](const char* what) {
    return common::Status::Corruption(std::string("store snapshot: ") + what);
  };
  if (data.compare(0, kMagic.size(), kMagic) != 0) return corrupt("bad magic");
  Reader r(std::string_view(data).substr(kMagic.size()));
  uint64_t index, history_count;
  std::unique_ptr<Node> root;
  internal::TtlHeap heap;
  if (!r.Varint(&index)) return corrupt("truncated index");
  if (!r.TreeNode(nullptr, 0, 0, &root, &heap)) {
    return corrupt(r.over_key_limits() ? "a key over the key limits (4096 bytes, 2048 segments)"
                                       : "malformed tree");
  }
  if (!r.Varint(&history_count) || history_count > internal::kHistoryCapacity) {
    return corrupt("malformed history size");
  }
  internal::EventHistory history(internal::kHistoryCapacity);
  for (uint64_t i = 0; i < history_count; ++i) {
    auto e = std::make_shared<Event>();
    if (!r.EventRecord(e.get())) return corrupt("malformed event");
    // Scans address events by offset, so indexes must be consecutive.
    const uint64_t expected = history.last_index() + 1;
    if ((i > 0 && e->Index() != expected) || e->Index() > index || e->Index() == 0) {
      return corrupt("history indexes out of order");
    }
    history.Add(std::move(e));
  }
  if (!r.AtEnd()) return corrupt("trailing bytes");

  std::unique_lock<std::shared_mutex> lock(state_->mu);
  internal::StoreState& s = *state_;
  s.current_index = index;
  s.root.swap(root);
  s.ttl_heap = std::move(heap);
  s.history = std::move(history);
  s.tracked_changes.fetch_add(1, std::memory_order_release);
  lock.unlock();
  return common::Status::OK();  // the old tree is freed here, outside the lock
}

}  // namespace store
