#include "server/api/watch_dispatcher.h"

#include "common/thread_name.h"
#include "common/time_format.h"

namespace api {

WatchDispatcher::WatchDispatcher() : thread_([this] { Run(); }) {}

WatchDispatcher::~WatchDispatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  for (const auto& s : live_) {
    if (s->watcher) s->watcher->Remove();
  }
}

void WatchDispatcher::Start(const std::shared_ptr<WatchSession>& session) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    live_.insert(session);
  }
  session->started = true;
  Schedule(session);
}

void WatchDispatcher::Schedule(const std::shared_ptr<WatchSession>& session) {
  if (!session->started || session->scheduled.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(session);
  }
  cv_.notify_one();
}

void WatchDispatcher::Run() {
  common::SetThreadName("watch-dispatch");
  while (true) {
    std::shared_ptr<WatchSession> session;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (stopping_) return;
      session = std::move(ready_.front());
      ready_.pop_front();
    }
    session->scheduled = false;
    if (Deliver(*session)) {
      std::lock_guard<std::mutex> lock(mu_);
      live_.erase(session);
    }
  }
}

bool WatchDispatcher::Deliver(WatchSession& session) {
  if (session.finished) return true;
  while (auto event = session.watcher->Next()) {
    session.exchange->Write(store::EventJson(*event, common::UnixNowNs(), "/1"));
    if (!session.stream) {
      session.watcher->Remove();
      session.exchange->End();
      session.finished = true;
      return true;
    }
  }
  if (session.watcher->removed()) {
    session.exchange->End();  // ignored when the client has already gone
    session.finished = true;
    return true;
  }
  return false;
}

}  // namespace api
