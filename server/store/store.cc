// The v2 store operations (etcd 3.4 v2store semantics); see store.h.
#include "server/store/store.h"

#include <cstdio>
#include <mutex>

#include "server/store/key_limits.h"
#include "server/store/path.h"
#include "server/store/store_state.h"

namespace store {

using internal::EventPtr;
using internal::Node;
using internal::StoreState;

namespace {

using ReadLock = std::shared_lock<std::shared_mutex>;
using WriteLock = std::unique_lock<std::shared_mutex>;

// Counts one attempt in `ok` or `fail` when it goes out of scope.
class Outcome {
 public:
  Outcome(std::atomic<uint64_t>& ok, std::atomic<uint64_t>& fail) : ok_(ok), fail_(fail) {}
  ~Outcome() { (succeeded_ ? ok_ : fail_).fetch_add(1, std::memory_order_relaxed); }
  V2Result<Event> Fail(V2Error error) { return error; }
  V2Result<Event> Succeed(Event event) {
    succeeded_ = true;
    return event;
  }
  V2Result<Event> Pass(V2Result<Event> result) {
    succeeded_ = result.ok();
    return result;
  }

 private:
  std::atomic<uint64_t>& ok_;
  std::atomic<uint64_t>& fail_;
  bool succeeded_ = false;
};

// etcd's compare-failure cause: "[prevValue != value]", "[prevIndex != modifiedIndex]" or both.
std::optional<std::string> CompareFailure(const Node& n, const std::string& prev_value,
                                          uint64_t prev_index) {
  const bool value_ok = prev_value.empty() || n.value == prev_value;
  const bool index_ok = prev_index == 0 || n.modified_index == prev_index;
  if (value_ok && index_ok) return std::nullopt;
  std::string value_cause = "[" + prev_value + " != " + n.value + "]";
  std::string index_cause =
      "[" + std::to_string(prev_index) + " != " + std::to_string(n.modified_index) + "]";
  if (!value_ok && !index_ok) return value_cause + " " + index_cause;
  return value_ok ? index_cause : value_cause;
}

// `path` itself when already clean (callers normally clean), else its
// cleaned copy kept in `storage`.
const std::string& Cleaned(const std::string& path, std::string* storage) {
  if (internal::IsCleanPath(path)) return path;
  *storage = CleanPath(path);
  return *storage;
}

// An event whose node is the changed node's path with the given indexes.
Event NewEvent(const char* action, const std::string& key, uint64_t modified, uint64_t created) {
  Event e;
  e.action = action;
  e.node.key = key;
  e.node.modified_index = modified;
  e.node.created_index = created;
  return e;
}

// The key at `p` that a compare-and-swap or -delete may change: it exists,
// is not a dir, and passes the compare.
V2Result<Node*> CompareTarget(StoreState& s, const std::string& p, const std::string& prev_value,
                              uint64_t prev_index) {
  auto found = s.Find(p);
  if (!found.ok()) return found.error();
  Node* n = found.value();
  if (n->dir) return s.PathError(kEcodeNotFile, p);
  if (auto cause = CompareFailure(*n, prev_value, prev_index)) {
    return V2Error{kEcodeTestFailed, *cause, s.current_index};
  }
  return n;
}

// Publishes `e` and returns the caller's copy.
Event Commit(StoreState& s, Event e) {
  auto shared = s.Share(std::move(e));
  s.Publish(shared);
  return *shared;
}

// etcd's internalCreate: creates (or, with `replace`, replaces a key at)
// `path` and the missing dirs above it. Does not publish.
V2Result<Event> InternalCreate(StoreState& s, StoreStats& stats, const std::string& given_path,
                               bool dir, const std::string& value, bool unique, bool replace,
                               int64_t expire_ns, const char* action) {
  const uint64_t next = s.current_index + 1;
  std::string unique_path;
  if (unique) {
    char name[24];
    std::snprintf(name, sizeof(name), "/%020llu", static_cast<unsigned long long>(next));
    unique_path = CleanPath(given_path + name);
  }
  const std::string& path = unique ? unique_path : given_path;
  if (StoreState::IsReadOnly(path)) return s.PathError(kEcodeRootROnly, "/");
  // The API refuses such keys before proposing; a log entry written by
  // anything else is refused here, the same way on every member.
  if (auto too_big = CheckKeyLimits(path, false, s.current_index)) return *too_big;
  if (expire_ns < internal::kMinExpireNs) expire_ns = 0;

  const size_t slash = path.rfind('/');
  auto parent = s.EnsureDir(std::string_view(path).substr(0, slash + 1));
  if (!parent.ok()) {
    stats.sets_fail.fetch_add(1, std::memory_order_relaxed);  // etcd counts it here too
    return parent.error();
  }
  Node* d = parent.value();
  std::string_view name = std::string_view(path).substr(slash + 1);

  Event e = NewEvent(action, path, next, next);
  if (Node* existing = d->Child(name)) {
    if (!replace) return s.PathError(kEcodeNodeExist, path);
    if (existing->dir) return s.PathError(kEcodeNotFile, path);
    e.prev_node = existing->Repr(path, false, false);
    if (!existing->IsPermanent()) s.ttl_heap.Remove(existing);
    existing->Detach();
  }
  auto node = std::make_unique<Node>(std::string(name), dir, next, expire_ns, d);
  if (!dir) {
    node->value = value;
    e.node.value = value;
  }
  e.node.dir = dir;
  e.node.expire_ns = expire_ns;
  Node* n = d->AddChild(std::move(node));
  if (!n->IsPermanent()) s.ttl_heap.Push(n);
  s.current_index = next;
  e.etcd_index = next;
  return e;
}

}  // namespace

Store::Store() : state_(std::make_shared<StoreState>()) {}
Store::~Store() = default;

V2Result<Event> Store::Get(const std::string& path, bool recursive, bool /*sorted*/) {
  Outcome outcome(stats_.gets_success, stats_.gets_fail);
  V2Result<Event> r = Peek(path, recursive);
  return r.ok() ? outcome.Succeed(std::move(r).value()) : outcome.Fail(r.error());
}

V2Result<Event> Store::Peek(const std::string& path, bool recursive) const {
  // Children are kept sorted, so a listing is always in sorted order.
  std::string storage;
  const std::string& p = Cleaned(path, &storage);
  ReadLock lock(state_->mu);
  auto found = state_->Find(p);
  if (!found.ok()) return found.error();
  Event e;
  e.action = "get";
  e.node = found.value()->Repr(p, /*with_children=*/true, recursive);
  e.etcd_index = state_->current_index;
  return e;
}

V2Result<Event> Store::Set(const std::string& path, bool dir, const std::string& value,
                           ExpireOptions expire) {
  Outcome outcome(stats_.sets_success, stats_.sets_fail);
  std::string storage;
  const std::string& p = Cleaned(path, &storage);
  WriteLock lock(state_->mu);
  StoreState& s = *state_;
  auto found = s.Find(p);
  if (!found.ok() && found.error().code != kEcodeKeyNotFound) {
    return outcome.Fail(found.error());
  }
  std::string refreshed;  // a refresh keeps the value (copied: the node is replaced below)
  if (expire.refresh) {
    if (!found.ok()) return outcome.Fail(found.error());
    refreshed = found.value()->value;
  }
  auto created = InternalCreate(s, stats_, p, dir, expire.refresh ? refreshed : value,
                                false, true, expire.expire_ns, "set");
  if (!created.ok()) return outcome.Pass(std::move(created));
  created.value().refresh = expire.refresh;
  return outcome.Succeed(Commit(s, std::move(created.value())));
}

V2Result<Event> Store::Create(const std::string& path, bool dir, const std::string& value,
                              bool unique, ExpireOptions expire) {
  Outcome outcome(stats_.create_success, stats_.create_fail);
  std::string storage;
  const std::string& p = Cleaned(path, &storage);
  WriteLock lock(state_->mu);
  auto created =
      InternalCreate(*state_, stats_, p, dir, value, unique, false, expire.expire_ns, "create");
  if (!created.ok()) return outcome.Pass(std::move(created));
  return outcome.Succeed(Commit(*state_, std::move(created.value())));
}

V2Result<Event> Store::Update(const std::string& path, const std::string& value,
                              ExpireOptions expire) {
  Outcome outcome(stats_.update_success, stats_.update_fail);
  std::string storage;
  const std::string& p = Cleaned(path, &storage);
  WriteLock lock(state_->mu);
  StoreState& s = *state_;
  if (StoreState::IsReadOnly(p)) return outcome.Fail(s.PathError(kEcodeRootROnly, "/"));
  auto found = s.Find(p);
  if (!found.ok()) return outcome.Fail(found.error());
  Node* n = found.value();
  if (n->dir && !value.empty()) return outcome.Fail(s.PathError(kEcodeNotFile, p));

  const uint64_t next = s.current_index + 1;
  Event e = NewEvent("update", p, next, n->created_index);
  e.prev_node = n->Repr(p, false, false);
  e.refresh = expire.refresh;
  e.node.dir = n->dir;
  if (!n->dir) {
    // A dir keeps its modifiedIndex: etcd's write of a dir fails silently.
    if (!expire.refresh) n->value = value;
    n->modified_index = next;
    e.node.value = n->value;
  }
  s.SetExpire(n, expire.expire_ns);
  e.node.expire_ns = n->expire_ns;
  s.current_index = next;
  e.etcd_index = next;
  return outcome.Succeed(Commit(s, std::move(e)));
}

V2Result<Event> Store::CompareAndSwap(const std::string& path, const std::string& prev_value,
                                      uint64_t prev_index, const std::string& value,
                                      ExpireOptions expire) {
  Outcome outcome(stats_.compare_and_swap_success, stats_.compare_and_swap_fail);
  std::string storage;
  const std::string& p = Cleaned(path, &storage);
  WriteLock lock(state_->mu);
  StoreState& s = *state_;
  if (StoreState::IsReadOnly(p)) return outcome.Fail(s.PathError(kEcodeRootROnly, "/"));
  auto target = CompareTarget(s, p, prev_value, prev_index);
  if (!target.ok()) return outcome.Fail(target.error());
  Node* n = target.value();

  const uint64_t next = ++s.current_index;
  Event e = NewEvent("compareAndSwap", p, next, n->created_index);
  e.prev_node = n->Repr(p, false, false);
  e.refresh = expire.refresh;
  if (!expire.refresh) n->value = value;
  n->modified_index = next;
  s.SetExpire(n, expire.expire_ns);
  e.node.value = n->value;
  e.node.expire_ns = n->expire_ns;
  e.etcd_index = next;
  return outcome.Succeed(Commit(s, std::move(e)));
}

V2Result<Event> Store::Delete(const std::string& path, bool dir, bool recursive) {
  Outcome outcome(stats_.delete_success, stats_.delete_fail);
  std::string storage;
  const std::string& p = Cleaned(path, &storage);
  WriteLock lock(state_->mu);
  StoreState& s = *state_;
  if (StoreState::IsReadOnly(p)) return outcome.Fail(s.PathError(kEcodeRootROnly, "/"));
  if (recursive) dir = true;
  auto found = s.Find(p);
  if (!found.ok()) return outcome.Fail(found.error());
  Node* n = found.value();
  if (n->dir && !dir) return outcome.Fail(s.PathError(kEcodeNotFile, p));
  if (n->dir && !n->children.empty() && !recursive) {
    return outcome.Fail(s.PathError(kEcodeDirNotEmpty, p));
  }

  const uint64_t next = s.current_index + 1;
  Event e = NewEvent("delete", p, next, n->created_index);
  e.node.dir = n->dir;
  e.prev_node = n->Repr(p, false, false);
  e.etcd_index = next;
  auto shared = s.Share(std::move(e));
  s.RemoveSubtree(n, p, shared);
  s.current_index = next;
  s.Publish(shared);
  return outcome.Succeed(*shared);
}

V2Result<Event> Store::CompareAndDelete(const std::string& path, const std::string& prev_value,
                                        uint64_t prev_index) {
  Outcome outcome(stats_.compare_and_delete_success, stats_.compare_and_delete_fail);
  std::string storage;
  const std::string& p = Cleaned(path, &storage);
  WriteLock lock(state_->mu);
  StoreState& s = *state_;
  // etcd has no read-only check here: the user root answers 102 with an empty cause.
  auto target = CompareTarget(s, p, prev_value, prev_index);
  if (!target.ok()) return outcome.Fail(target.error());
  Node* n = target.value();

  const uint64_t next = ++s.current_index;
  Event e = NewEvent("compareAndDelete", p, next, n->created_index);
  e.prev_node = n->Repr(p, false, false);
  e.etcd_index = next;
  auto shared = s.Share(std::move(e));
  s.RemoveSubtree(n, p, shared);
  s.Publish(shared);
  return outcome.Succeed(*shared);
}

V2Result<WatcherPtr> Store::Watch(const std::string& path, bool recursive, bool stream,
                                  uint64_t since_index, std::function<void()> notify) {
  std::string key = CleanPath(path);
  WriteLock lock(state_->mu);
  StoreState& s = *state_;
  if (since_index == 0) since_index = s.current_index + 1;
  auto scanned = s.history.Scan(key, recursive, since_index);
  if (!scanned.ok()) {
    V2Error err = scanned.error();
    err.index = s.current_index;
    return err;
  }
  EventPtr from_history;
  if (scanned.value()) {
    auto copy = std::make_shared<Event>(*scanned.value());
    copy->etcd_index = s.current_index;  // as etcd: the index when the watch was answered
    from_history = std::move(copy);
  }
  auto w = std::make_shared<internal::WatcherImpl>(
      std::move(key), recursive, stream, since_index, s.current_index, std::move(notify),
      std::shared_ptr<internal::WatcherHub>(state_, &s.hub));
  s.hub.Add(w, std::move(from_history));
  return WatcherPtr(std::move(w));
}

void Store::DeleteExpiredKeys(int64_t cutoff_ns) {
  WriteLock lock(state_->mu);
  StoreState& s = *state_;
  // Each round removes at least the top node, so this bounds the loop.
  for (size_t rounds = s.ttl_heap.size(); rounds > 0; --rounds) {
    Node* n = s.ttl_heap.Top();
    if (n == nullptr || n->expire_ns > cutoff_ns) break;
    const uint64_t next = ++s.current_index;
    std::string path = n->Path();
    Event e = NewEvent("expire", path, next, n->created_index);
    e.node.dir = n->dir;
    e.prev_node = n->Repr(path, false, false);
    e.etcd_index = next;
    auto shared = s.Share(std::move(e));
    s.RemoveSubtree(n, std::move(path), shared);
    stats_.expire_count.fetch_add(1, std::memory_order_relaxed);
    s.Publish(shared);
  }
}

bool Store::HasTtlKeys() const {
  ReadLock lock(state_->mu);
  return state_->ttl_heap.size() != 0;
}

void Store::SetEventClock(std::function<int64_t()> clock) {
  WriteLock lock(state_->mu);
  state_->event_clock = std::move(clock);
}

uint64_t Store::Index() const {
  ReadLock lock(state_->mu);
  return state_->current_index;
}

void Store::TrackChanges(std::string prefix) {
  WriteLock lock(state_->mu);
  state_->tracked_prefix = std::move(prefix);
}

uint64_t Store::ChangesUnder() const {
  return state_->tracked_changes.load(std::memory_order_acquire);
}

size_t Store::WatcherCount() const {
  ReadLock lock(state_->mu);
  return state_->hub.count();
}

}  // namespace store
