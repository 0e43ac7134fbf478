#include "server/proxy/director.h"

#include <algorithm>

#include "common/log.h"

namespace proxy {

Director::Director(std::chrono::milliseconds failure_wait, uint32_t seed)
    : failure_wait_(failure_wait), rng_(seed) {}

void Director::Replace(std::vector<std::string> urls) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shuffle(urls.begin(), urls.end(), rng_);
  endpoints_.clear();
  for (auto& url : urls) endpoints_.push_back({std::move(url), Clock::time_point::min()});
}

std::vector<std::string> Director::Available(Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const auto& e : endpoints_) {
    if (e.unavailable_until <= now) out.push_back(e.url);
  }
  return out;
}

void Director::Failed(const std::string& url, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& e : endpoints_) {
    // An endpoint already marked keeps its deadline, as in etcd.
    if (e.url != url || e.unavailable_until > now) continue;
    e.unavailable_until = now + failure_wait_;
    KV_LOG(kInfo, "proxy") << "marked endpoint " << url << " unavailable";
  }
}

}  // namespace proxy
