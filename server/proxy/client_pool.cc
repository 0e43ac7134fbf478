#include "server/proxy/client_pool.h"

#include <httplib.h>

namespace proxy {
namespace {

// What "no limit" becomes for cpp-httplib, which needs a finite poll timeout
// (in int milliseconds): a week, far beyond any watch a client keeps open.
constexpr std::chrono::milliseconds kNoLimit = std::chrono::hours(24 * 7);

std::chrono::milliseconds OrNoLimit(std::chrono::milliseconds d) { return d.count() == 0 ? kNoLimit : d; }

}  // namespace

ClientPool::ClientPool(ForwardTimeouts timeouts) : timeouts_(timeouts) {}
ClientPool::~ClientPool() = default;

std::unique_ptr<httplib::Client> ClientPool::Take(const std::string& endpoint, bool* reused) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = idle_.find(endpoint);
    if (it != idle_.end() && !it->second.empty()) {
      std::unique_ptr<httplib::Client> client = std::move(it->second.back());
      it->second.pop_back();
      *reused = true;
      return client;
    }
  }
  *reused = false;
  return New(endpoint);
}

std::unique_ptr<httplib::Client> ClientPool::New(const std::string& endpoint) const {
  auto client = std::make_unique<httplib::Client>(endpoint);
  client->set_keep_alive(true);
  client->set_connection_timeout(OrNoLimit(timeouts_.dial));
  client->set_write_timeout(OrNoLimit(timeouts_.write));
  client->set_read_timeout(OrNoLimit(timeouts_.read));
  client->set_url_encode(false);  // the target is relayed exactly as the client sent it
  client->set_decompress(false);
  return client;
}

void ClientPool::Put(const std::string& endpoint, std::unique_ptr<httplib::Client> client) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& idle = idle_[endpoint];
  if (idle.size() < kMaxIdlePerEndpoint) idle.push_back(std::move(client));
}

}  // namespace proxy
