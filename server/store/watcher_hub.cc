// Watch delivery; see watcher_hub.h.
#include "server/store/watcher_hub.h"

#include "server/store/path.h"

namespace store::internal {

WatcherImpl::WatcherImpl(std::string key, bool recursive, bool stream, uint64_t since_index,
                         uint64_t start_index, std::function<void()> notify,
                         std::weak_ptr<WatcherHub> hub)
    : key_(std::move(key)), recursive_(recursive), stream_(stream), since_index_(since_index),
      start_index_(start_index), notify_(std::move(notify)), hub_(std::move(hub)) {}

std::optional<Event> WatcherImpl::Next() {
  EventPtr e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) return std::nullopt;
    e = std::move(queue_.front());
    queue_.pop_front();
  }
  return *e;  // the copy is made outside every lock
}

void WatcherImpl::Remove() {
  std::shared_ptr<WatcherHub> hub = hub_.lock();
  if (hub) {
    std::unique_lock<std::shared_mutex> lock(*hub->store_mu());
    hub->Unregister(this);
  }
  MarkRemoved();
}

bool WatcherImpl::Queue(EventPtr e) {
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_.size() >= kQueueCapacity) return false;
  queue_.push_back(std::move(e));
  return true;
}

void WatcherHub::Add(const std::shared_ptr<WatcherImpl>& w, EventPtr from_history) {
  if (from_history) {
    w->Queue(std::move(from_history));
    if (!w->stream_) w->MarkRemoved();
    if (w->notify_) w->notify_();
    return;
  }
  auto it = watchers_.find(w->key_);
  if (it == watchers_.end()) it = watchers_.emplace(w->key_, WatcherList()).first;
  w->position_ = it->second.insert(it->second.end(), w);
  w->registered_ = true;
  ++count_;
}

void WatcherHub::Notify(const EventPtr& e) {
  if (watchers_.empty()) return;
  const std::string& key = e->node.key;
  NotifyWatchers(e, "/", false);
  for (size_t i = 1; i < key.size(); ++i) {
    if (key[i] == '/') NotifyWatchers(e, std::string_view(key).substr(0, i), false);
  }
  if (key.size() > 1) NotifyWatchers(e, key, false);
}

void WatcherHub::NotifyWatchers(const EventPtr& e, std::string_view path, bool deleted) {
  auto it = watchers_.find(path);
  if (it == watchers_.end()) return;
  const bool original_path = e->node.key == path;
  if (!original_path && IsHiddenBelow(path, e->node.key)) return;
  WatcherList& list = it->second;
  for (auto pos = list.begin(); pos != list.end();) {
    std::shared_ptr<WatcherImpl> w = *pos++;  // `pos` moves on before w may leave the list
    if (!(w->recursive_ || original_path || deleted) || e->Index() < w->since_index_) continue;
    // A full queue drops the watcher: a slow client must not hold events forever.
    const bool queued = w->Queue(e);
    if (!queued || !w->stream_) {
      Unlink(list, w.get());
      w->MarkRemoved();
    }
    if (w->notify_) w->notify_();
  }
  if (list.empty()) watchers_.erase(it);
}

void WatcherHub::Unregister(WatcherImpl* w) {
  if (!w->registered_) return;
  auto it = watchers_.find(w->key_);
  Unlink(it->second, w);
  if (it->second.empty()) watchers_.erase(it);
}

void WatcherHub::Unlink(WatcherList& list, WatcherImpl* w) {
  w->registered_ = false;
  list.erase(w->position_);  // drops the hub's reference; the caller still holds one
  --count_;
}

}  // namespace store::internal
