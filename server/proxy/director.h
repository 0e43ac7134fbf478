// The proxy's endpoints (etcd's httpproxy director): the members' client
// URLs in shuffled order, each skipped for `failure_wait` after a transport
// error. A refresh replaces the list and makes every endpoint available again,
// as etcd does. Time is passed in, so tests need no sleeps.
//
// Thread-safe: one mutex guards the list.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace proxy {

class Director {
 public:
  using Clock = std::chrono::steady_clock;

  Director(std::chrono::milliseconds failure_wait, uint32_t seed);

  // Takes the new list of client URLs, shuffled (so that proxies spread their
  // connections over the members).
  void Replace(std::vector<std::string> urls);

  // The endpoints to try, in order: those not marked failed within the last
  // failure_wait.
  std::vector<std::string> Available(Clock::time_point now) const;

  // A request to `url` failed below HTTP: skip it until now + failure_wait.
  void Failed(const std::string& url, Clock::time_point now);

 private:
  struct Endpoint {
    std::string url;
    Clock::time_point unavailable_until;  // epoch (min) while available
  };

  const std::chrono::milliseconds failure_wait_;
  mutable std::mutex mu_;
  std::mt19937 rng_;  // guarded by mu_
  std::vector<Endpoint> endpoints_;  // guarded by mu_
};

}  // namespace proxy
