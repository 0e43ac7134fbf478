// etcd's v2 discovery protocol (see discovery.h). Requests, query strings,
// retry rules and error texts are those etcd 3.4 puts on the wire and prints
// (its v2discovery package over its v2 keys client), as observed in
// ../shared/spec/examples/etcd-3.4.23-transcripts.md.
#include "common/discovery.h"

#include <algorithm>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "common/discovery_answer.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/member_id.h"

namespace common {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kSizeNotFound[] = "discovery: size key not found";
constexpr char kBadSizeKey[] = "discovery: size key is bad";
constexpr char kBadEndpoint[] = "discovery: bad discovery endpoint";
constexpr char kTooManyRetries[] = "discovery: too many retries";
constexpr char kStopped[] = "discovery: stopped before the cluster was complete";
constexpr int kErrorKeyNotFound = 100;
constexpr int kErrorNodeExist = 105;
constexpr uint32_t kMaxRetries = 0xffffffff;  // etcd's: in effect, forever
constexpr uint32_t kMaxBackoffExponent = 8;   // then a constant 256 units
constexpr seconds kRequestTimeout{5};         // every request but a watch
constexpr seconds kWatchDialTimeout{30};
// A watch has no deadline in etcd; this only bounds a connection that went
// silent (the watch is then retried like any connection failure).
constexpr std::chrono::hours kWatchReadTimeout{1};
constexpr milliseconds kStopPoll{100};
// A server that ends watches without an event makes us ask again; not forever.
constexpr int kMaxEmptyWatchAnswers = 1000;

constexpr char kGetQuery[] = "?quorum=false&recursive=false&sorted=false";

// Runs one long poll on a helper thread so that `stop` is honoured while it
// waits. On stop the helper is left to finish by itself (it owns everything it
// uses); the process is about to give up anyway.
Result<HttpResponse> AwaitWatch(const std::string& url, const HttpOptions& http, const std::function<bool()>& stop) {
  std::promise<Result<HttpResponse>> done;
  std::future<Result<HttpResponse>> answer = done.get_future();
  std::thread([done = std::move(done), url, http]() mutable { done.set_value(HttpDo("GET", url, "", "", http)); })
      .detach();
  while (answer.wait_for(kStopPoll) != std::future_status::ready) {
    if (stop()) return Status::Timeout(kStopped);
  }
  return answer.get();
}

// One discovery run against one token; not shared between threads.
class Discovery {
 public:
  Discovery(std::string base, std::string token, uint64_t id, std::string proxy, DiscoveryOptions options)
      : base_(std::move(base)),
        token_(std::move(token)),
        self_(FormatId(id)),
        proxy_(std::move(proxy)),
        options_(std::move(options)) {}

  Result<std::string> Join(const std::string& registration) {
    // Fast path: a full cluster is refused before registering.
    Result<DiscoveryCluster> c = CheckCluster();
    if (!c.ok()) return c.status();
    if (c->full) return Status::AlreadyExists(kDiscoveryClusterFull);
    Status s = CreateSelf(registration);
    if (!s.ok()) return s;
    c = CheckCluster();
    if (!c.ok()) return c.status();
    if (c->full) return Status::AlreadyExists(kDiscoveryClusterFull);
    const uint64_t size = c->size;
    Result<std::vector<DiscoveryNode>> all = WaitNodes(std::move(c).value());
    if (!all.ok()) return all.status();
    return DiscoveryNodesToCluster(*all, size);
  }

  Result<std::string> GetCluster() {
    Result<DiscoveryCluster> c = CheckCluster();
    if (!c.ok()) return c.status();
    if (c->full) return DiscoveryNodesToCluster(c->nodes, c->size);
    const uint64_t size = c->size;
    Result<std::vector<DiscoveryNode>> all = WaitNodes(std::move(c).value());
    if (!all.ok()) return all.status();
    return DiscoveryNodesToCluster(*all, size);
  }

 private:

  bool Stopped() const { return options_.stop && options_.stop(); }

  Result<DiscoveryAnswer> Call(const std::string& method, const std::string& target, const std::string& form) {
    if (Stopped()) return Status::Timeout(kStopped);
    HttpOptions http;
    http.proxy = proxy_;
    http.timeout = kRequestTimeout;
    http.connect_timeout = kRequestTimeout;
    const std::string url = base_ + target;
    Result<HttpResponse> r =
        HttpDo(method, url, form, form.empty() ? "" : "application/x-www-form-urlencoded", http);
    if (!r.ok()) return r.status();  // Unavailable: a connection-level failure
    return ParseDiscoveryAnswer(*r, method + " " + url);
  }

  // The first event at or after `wait_index` under `key` (a v2 watch).
  Result<DiscoveryAnswer> Watch(const std::string& key, bool recursive, uint64_t wait_index) {
    HttpOptions http;
    http.proxy = proxy_;
    http.timeout = kWatchReadTimeout;
    http.connect_timeout = kWatchDialTimeout;
    const std::string url = base_ + key + (recursive ? "?recursive=true" : "?recursive=false") +
                            "&wait=true&waitIndex=" + std::to_string(wait_index);
    for (int i = 0; i < kMaxEmptyWatchAnswers; ++i) {
      if (Stopped()) return Status::Timeout(kStopped);
      Result<HttpResponse> r = options_.stop ? AwaitWatch(url, http, options_.stop) : HttpDo("GET", url, "", "", http);
      if (!r.ok()) return r.status();
      Result<DiscoveryAnswer> a = ParseDiscoveryAnswer(*r, "GET " + url);
      if (!a.ok() || !a->empty) return a;
    }
    return Status::Unavailable("GET " + url + ": the server keeps ending the watch without an event");
  }

  // Waits 2^min(n, 8) units before the n-th retry.
  Status Backoff(const std::string& step, const Status& why) {
    if (retries_ >= kMaxRetries) return Status::Unavailable(kTooManyRetries);
    ++retries_;
    const auto wait = options_.backoff_unit * (1 << std::min(retries_, kMaxBackoffExponent));
    KV_LOG(kWarn, "discovery") << step << ": " << why.message() << "; retrying in "
                               << std::chrono::duration<double>(wait).count() << "s";
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (Stopped()) return Status::Timeout(kStopped);
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          kStopPoll, deadline - std::chrono::steady_clock::now()));
    }
    return Status::OK();
  }

  // Steps 1-2, retried while the discovery store cannot be reached.
  Result<DiscoveryCluster> CheckCluster() {
    while (true) {
      Result<DiscoveryCluster> c = CheckClusterOnce();
      if (c.ok() || c.status().code() != Code::kUnavailable) return c;
      Status s = Backoff("cluster status check", c.status());
      if (!s.ok()) return s;
    }
  }

  Result<DiscoveryCluster> CheckClusterOnce() {
    Result<DiscoveryAnswer> size = Call("GET", token_ + "/_config/size" + kGetQuery, "");
    if (!size.ok()) {
      if (size.status().message() == kDiscoveryInvalidJson) return Status::InvalidArgument(kBadEndpoint);
      return size.status();
    }
    if (size->empty) return Status::InvalidArgument(kBadEndpoint);
    if (size->error_code == kErrorKeyNotFound) return Status::NotFound(kSizeNotFound);
    if (size->error_code != 0) return Status::InvalidArgument(size->error);
    uint64_t size_value = 0;
    if (!ParseDiscoveryDecimal(size->node.value, &size_value)) return Status::InvalidArgument(kBadSizeKey);

    Result<DiscoveryAnswer> list = Call("GET", token_ + kGetQuery, "");
    if (!list.ok()) return list.status();
    if (list->empty) return Status::InvalidArgument(kDiscoveryInvalidJson);
    if (list->error_code != 0) return Status::InvalidArgument(list->error);
    return ReadDiscoveryCluster(std::move(list).value(), size_value, self_);
  }

  // Step 3 and 4. Not retried, as in etcd: a PUT that timed out may have
  // landed, and doing it again would find this member's own key.
  Status CreateSelf(const std::string& registration) {
    const std::string key = token_ + "/" + self_;
    Result<DiscoveryAnswer> put = Call("PUT", key + "?prevExist=false", "value=" + QueryEscape(registration));
    if (!put.ok()) return put.status();
    if (put->error_code == kErrorNodeExist) return Status::AlreadyExists(kDiscoveryDuplicateId);
    if (put->error_code != 0) return Status::InvalidArgument(put->error);
    if (put->empty) return Status::InvalidArgument(kDiscoveryInvalidJson);
    // Our key must be visible on the server we talk to before we list again.
    Result<DiscoveryAnswer> seen = Watch(key, false, put->node.created_index);
    if (!seen.ok()) return seen.status();
    if (seen->error_code != 0) return Status::InvalidArgument(seen->error);
    return Status::OK();
  }

  // Step 6 (and 5 again after a watch failed on the connection).
  Result<std::vector<DiscoveryNode>> WaitNodes(DiscoveryCluster c) {
    while (true) {
      Result<std::vector<DiscoveryNode>> all = WaitNodesOnce(std::move(c));
      if (all.ok() || all.status().code() != Code::kUnavailable) return all;
      Status s = Backoff("waiting for other nodes", all.status());
      if (!s.ok()) return s;
      Result<DiscoveryCluster> again = CheckCluster();
      if (!again.ok()) return again.status();
      if (again->full) return Status::AlreadyExists(kDiscoveryClusterFull);
      c = std::move(again).value();
    }
  }

  Result<std::vector<DiscoveryNode>> WaitNodesOnce(DiscoveryCluster c) {
    std::vector<DiscoveryNode> all = std::move(c.nodes);
    if (all.size() > c.size) all.resize(c.size);
    for (const DiscoveryNode& n : all) {
      KV_LOG(kInfo, "discovery") << (DiscoveryBaseName(n.key) == self_ ? "found self " : "found peer ") << DiscoveryBaseName(n.key)
                                 << " in the cluster";
    }
    uint64_t wait_index = c.index + 1;
    while (all.size() < c.size) {
      KV_LOG(kInfo, "discovery") << "found " << all.size() << " peer(s), waiting for " << c.size - all.size()
                                 << " more";
      Result<DiscoveryAnswer> event = Watch(token_, true, wait_index);
      if (!event.ok()) return event.status();
      if (event->error_code != 0) return Status::InvalidArgument(event->error);
      // As etcd, every event under the token counts as a registration.
      KV_LOG(kInfo, "discovery") << "found peer " << DiscoveryBaseName(event->node.key) << " in the cluster";
      wait_index = event->node.modified_index + 1;
      all.push_back(std::move(event->node));
    }
    KV_LOG(kInfo, "discovery") << "found " << all.size() << " needed peer(s)";
    return all;
  }

  const std::string base_;   // scheme://host:port of the discovery URL
  const std::string token_;  // its path: the directory members register in
  const std::string self_;   // this member's key under the token (hex id)
  const std::string proxy_;  // http://host:port or ""
  const DiscoveryOptions options_;
  uint32_t retries_ = 0;  // across the whole run, as etcd counts them
};

// --discovery-proxy as etcd takes it: without an http(s) scheme, http:// is prepended.
std::string ProxyUrl(const std::string& proxy) {
  if (proxy.empty()) return proxy;
  size_t sep = proxy.find("://");
  std::string scheme = sep == std::string::npos ? "" : proxy.substr(0, sep);
  for (char& ch : scheme) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
  return scheme.rfind("http", 0) == 0 ? proxy : "http://" + proxy;
}

Result<Discovery> NewDiscovery(const std::string& url, uint64_t id, const DiscoveryOptions& options) {
  Result<SplitUrl> split = SplitHttpUrl(url);
  if (!split.ok()) {
    return Status::InvalidArgument("discovery: bad discovery URL \"" + url + "\": " + split.status().message());
  }
  // The token is the URL's path, cleaned as a key path: no query, no empty elements.
  std::string path = split->target.substr(0, split->target.find('?'));
  std::string token;
  for (char ch : path) {
    if (ch != '/' || token.empty() || token.back() != '/') token += ch;
  }
  if (!token.empty() && token.back() == '/') token.pop_back();
  if (token.empty()) {
    return Status::InvalidArgument("discovery: bad discovery URL \"" + url + "\": it has no token path");
  }
  return Discovery(split->base, token, id, ProxyUrl(options.proxy), options);
}

}  // namespace

Result<std::string> DiscoveryJoin(const std::string& discovery_url, uint64_t member_id,
                                  const std::string& registration, const DiscoveryOptions& options) {
  Result<Discovery> d = NewDiscovery(discovery_url, member_id, options);
  if (!d.ok()) return d.status();
  return d->Join(registration);
}

Result<std::string> DiscoveryGetCluster(const std::string& discovery_url, const DiscoveryOptions& options) {
  Result<Discovery> d = NewDiscovery(discovery_url, 0, options);
  if (!d.ok()) return d.status();
  return d->GetCluster();
}

}  // namespace common
