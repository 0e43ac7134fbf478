#include "server/proxy/proxy.h"

#include <algorithm>
#include <utility>

#include "common/json_string.h"
#include "common/log.h"
#include "common/thread_name.h"
#include "common/go_strconv.h"
#include "server/api/form.h"
#include "server/api/go_path.h"
#include "server/api/responses.h"
#include "server/proxy/cluster_file.h"
#include "server/transport/remote_cluster.h"

namespace proxy {
namespace {

constexpr char kConfigPath[] = "/v2/config/local/proxy";
// etcd refreshes every second instead while it knows no endpoint, unless
// the interval was set below its default.
constexpr std::chrono::milliseconds kDefaultRefresh{30000};
constexpr std::chrono::milliseconds kRetryRefresh{1000};
constexpr std::chrono::seconds kMembersTimeout{10};

// A watch: the member answers when an event comes, maybe never. Other GETs
// with a malformed query are forwarded as requests (the member refuses them).
bool IsWatch(const http::Request& req) {
  if (req.method != "GET") return false;
  api::Form form;
  api::ParseQuery(req.query, &form);
  auto wait = common::ParseGoBool(form.Value("wait"));
  return wait.ok() && *wait;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return "[" + out + "]";
}

}  // namespace

common::Result<ClusterUrls> FetchClusterFromPeers(const std::vector<std::string>& peer_urls) {
  auto cluster = transport::FetchRemoteCluster(peer_urls, kMembersTimeout);
  if (!cluster.ok()) return cluster.status();
  ClusterUrls out;
  for (const auto& m : cluster->members) {
    out.peer_urls.insert(out.peer_urls.end(), m.peer_urls.begin(), m.peer_urls.end());
    out.client_urls.insert(out.client_urls.end(), m.client_urls.begin(), m.client_urls.end());
  }
  std::sort(out.peer_urls.begin(), out.peer_urls.end());
  std::sort(out.client_urls.begin(), out.client_urls.end());
  return out;
}

Proxy::Proxy(Options options, std::vector<std::string> peer_urls, FetchClusterFn fetch)
    : options_(std::move(options)),
      fetch_(std::move(fetch)),
      director_(options_.failure_wait, options_.seed),
      clients_(options_.timeouts),
      workers_(options_.max_forwards, options_.max_waiting),
      watch_workers_(options_.max_watches, 0),
      peer_urls_(std::move(peer_urls)) {}

Proxy::~Proxy() { Stop(); }

http::Handler Proxy::Handler() {
  return [this](http::Request req, std::shared_ptr<http::Exchange> ex) { Handle(std::move(req), std::move(ex)); };
}

void Proxy::Start() {
  Refresh();
  refresher_ = std::thread([this] { RefreshLoop(); });
}

void Proxy::Stop() {
  std::set<std::shared_ptr<Cancellation>> in_flight;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !refresher_.joinable()) return;
    stopping_ = true;
    in_flight = in_flight_;
  }
  cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  for (const auto& c : in_flight) c->Cancel();
  workers_.Stop();
  watch_workers_.Stop();
}

std::vector<std::string> Proxy::Endpoints() const { return director_.Available(Director::Clock::now()); }

void Proxy::Handle(http::Request req, std::shared_ptr<http::Exchange> ex) {
  // Go's server and ServeMux come first: bad targets and unclean paths.
  auto path = api::DecodeRequestPath(req);
  if (!path.ok()) return ex->Reply(api::BadRequestResponse());
  if (auto redirect = api::MuxCleanRedirect(req.method, *path, req.query)) return ex->Reply(std::move(*redirect));
  // etcd wraps the CORS handler in the readonly one: a refused write carries
  // no CORS headers and no body.
  if (options_.readonly && req.method != "GET") return ex->Reply(http::Response{501, {}, ""});
  http::Headers cors;
  api::AddCors(&cors);
  if (req.method == "OPTIONS") return ex->Reply(http::Response{200, cors, ""});
  if (*path == kConfigPath) {
    if (req.method != "GET") {
      http::Response r = api::MethodNotAllowed("GET");
      r.headers.insert(r.headers.begin(), cors.begin(), cors.end());
      return ex->Reply(std::move(r));
    }
    std::string body = "{\"endpoints\":[";
    std::vector<std::string> endpoints = Endpoints();
    for (size_t i = 0; i < endpoints.size(); ++i) {
      if (i > 0) body += ',';
      common::AppendJsonString(&body, endpoints[i]);
    }
    body += "]}\n";
    http::Response r{200, cors, std::move(body)};
    r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");  // what Go sniffs
    return ex->Reply(std::move(r));
  }

  if (req.body_too_large) return ex->Reply(ProxyError(413, "request body too large", cors));

  std::vector<std::string> endpoints = Endpoints();
  if (endpoints.empty()) {
    KV_LOG(kInfo, "proxy") << "zero endpoints currently available";
    return ex->Reply(ProxyError(503, "zero endpoints currently available", cors));
  }
  auto cancel = std::make_shared<Cancellation>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return ex->Reply(ProxyError(503, "proxy is stopping", cors));
    in_flight_.insert(cancel);
  }
  ex->OnClientGone([cancel] { cancel->Cancel(); });
  const bool watch = IsWatch(req);
  auto task = [this, req = std::move(req), ex, endpoints = std::move(endpoints), cors, cancel] {
    Forward(req, endpoints, cors, clients_, director_, *cancel, *ex);
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.erase(cancel);
  };
  if (!(watch ? watch_workers_ : workers_).Submit(std::move(task))) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      in_flight_.erase(cancel);
    }
    ex->Reply(ProxyError(503, watch ? "too many watches in flight" : "too many requests in flight", cors));
  }
}

void Proxy::Refresh() {
  std::vector<std::string> peers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    peers = peer_urls_;
  }
  auto cluster = fetch_(peers);
  if (!cluster.ok()) {
    // As etcd: a failed refresh leaves no endpoint until the next one.
    KV_LOG(kWarn, "proxy") << cluster.status().message();
    director_.Replace({});
    return;
  }
  if (!options_.proxy_dir.empty()) {
    common::Status s = WriteClusterFile(options_.proxy_dir, cluster->peer_urls);
    if (!s.ok()) KV_LOG(kWarn, "proxy") << "error on writing urls " << s.message();
  }
  if (cluster->peer_urls != peers) {
    KV_LOG(kInfo, "proxy") << "updated peer urls in cluster file from " << Join(peers) << " to "
                           << Join(cluster->peer_urls);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    peer_urls_ = cluster->peer_urls;
  }
  director_.Replace(cluster->client_urls);
  if (!logged_endpoints_ && !cluster->client_urls.empty()) {
    logged_endpoints_ = true;
    KV_LOG(kInfo, "proxy") << "endpoints found " << Join(cluster->client_urls);
  }
}

void Proxy::RefreshLoop() {
  common::SetThreadName("proxy-refresh");
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto interval = options_.refresh_interval;
    if (interval >= kDefaultRefresh && Endpoints().empty()) interval = kRetryRefresh;
    if (cv_.wait_for(lock, interval, [this] { return stopping_; })) return;
    lock.unlock();
    Refresh();
    lock.lock();
  }
}

}  // namespace proxy
