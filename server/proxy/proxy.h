// etcd 3.4's v2 HTTP proxy (`--proxy on|readonly`): a stateless forwarder that
// serves the client URLs and relays every request to the cluster's members
// (spec clustering.md §5). The member list is learnt from the peers'
// /members every refresh interval, and the peer URLs it names are saved in
// the state file <data-dir>/proxy/cluster.
//
// Request handling, in etcd's order: Go's clean-path redirect, readonly's
// 501, CORS (OPTIONS answered here), GET /v2/config/local/proxy answered here,
// everything else forwarded on a worker thread (see forwarder.h). A body over
// the server's limit is refused here (413), never forwarded without it.
//
// A forward holds its worker until the member answers, a watch (GET with
// wait=true) until its event: watches get workers of their own, so that any
// number of them cannot starve other requests, and past their bound they
// are refused at once (a queued watch would wait for another to end).
//
// Thread-safe: the handler runs on the HTTP server's I/O threads, the refresh
// loop on its own thread, forwards on the worker pool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "server/http/http.h"
#include "server/proxy/client_pool.h"
#include "server/proxy/director.h"
#include "server/proxy/forwarder.h"
#include "server/proxy/worker_pool.h"

namespace proxy {

// What a refresh learns from the members: all their peer and client URLs.
struct ClusterUrls {
  std::vector<std::string> peer_urls;    // sorted
  std::vector<std::string> client_urls;  // sorted
};

// Asks the cluster at `peer_urls` (first to answer wins) for its members.
using FetchClusterFn = std::function<common::Result<ClusterUrls>(const std::vector<std::string>& peer_urls)>;

// GET <peer>/members with etcd's 10 s limit.
common::Result<ClusterUrls> FetchClusterFromPeers(const std::vector<std::string>& peer_urls);

struct Options {
  bool readonly = false;
  std::chrono::milliseconds failure_wait{5000};
  std::chrono::milliseconds refresh_interval{30000};
  ForwardTimeouts timeouts;
  std::string proxy_dir;  // where the cluster file is written; "" writes none
  size_t max_forwards = 1024;  // requests forwarded at once, watches apart
  size_t max_waiting = 1024;   // more wait for a worker; beyond that: 503
  size_t max_watches = 1024;   // watches forwarded at once; beyond that: 503
  uint32_t seed = 0;           // endpoint shuffling
};

class Proxy {
 public:
  Proxy(Options options, std::vector<std::string> peer_urls, FetchClusterFn fetch);
  ~Proxy();

  // The client listener's handler. Valid while the Proxy lives.
  http::Handler Handler();

  // One refresh now (as etcd, before serving), then the refresh loop.
  void Start();

  // Ends the refresh loop, cancels forwards under way, joins the workers.
  // Stop the HTTP server first, so no new request arrives.
  void Stop();

  // The endpoints requests go to now (GET /v2/config/local/proxy).
  std::vector<std::string> Endpoints() const;

 private:
  void Handle(http::Request req, std::shared_ptr<http::Exchange> ex);
  void Refresh();
  void RefreshLoop();

  const Options options_;
  const FetchClusterFn fetch_;
  Director director_;
  ClientPool clients_;  // before the workers: outlives the forwards
  WorkerPool workers_;
  WorkerPool watch_workers_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                       // guarded by mu_
  std::vector<std::string> peer_urls_;          // guarded by mu_
  std::set<std::shared_ptr<Cancellation>> in_flight_;  // guarded by mu_
  bool logged_endpoints_ = false;               // used by Refresh() only (Start, then the loop)
  std::thread refresher_;
};

}  // namespace proxy
