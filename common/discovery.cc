// etcd's v2 discovery protocol (see discovery.h). Requests, query strings,
// retry rules and error texts are those etcd 3.4 puts on the wire and prints
// (its v2discovery package over its v2 keys client), as observed in
// ../shared/spec/examples/etcd-3.4.23-transcripts.md.
#include "common/discovery.h"

#include <algorithm>
#include <future>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/http_client.h"
#include "common/log.h"
#include "common/member_id.h"
#include "common/url.h"

namespace common {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kSizeNotFound[] = "discovery: size key not found";
constexpr char kBadSizeKey[] = "discovery: size key is bad";
constexpr char kBadEndpoint[] = "discovery: bad discovery endpoint";
constexpr char kInvalidUrl[] = "discovery: invalid URL";
constexpr char kTooManyRetries[] = "discovery: too many retries";
constexpr char kStopped[] = "discovery: stopped before the cluster was complete";
// The v2 client's text for an answer that is not JSON.
constexpr char kInvalidJson[] =
    "client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint.";

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

struct Node {
  std::string key;
  std::string value;
  uint64_t created_index = 0;
  uint64_t modified_index = 0;
};

// One answer of the v2 keys API: a node, or an etcd error (a 4xx answer).
struct KeysAnswer {
  int error_code = 0;  // etcd's errorCode, 0 on success
  std::string error;   // as etcd's client prints it: "100: Key not found (/a) [5]"
  Node node;
  std::vector<Node> children;
  uint64_t index = 0;  // X-Etcd-Index
  bool empty = false;  // 200 without a body: a watch the server ended early
};

std::string BaseName(const std::string& key) { return key.substr(key.rfind('/') + 1); }

bool ParseDecimal(const std::string& s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

Node ParseNode(const nlohmann::json& j) {
  Node n;
  if (!j.is_object()) return n;
  if (j.contains("key") && j["key"].is_string()) n.key = j["key"].get<std::string>();
  if (j.contains("value") && j["value"].is_string()) n.value = j["value"].get<std::string>();
  if (j.contains("createdIndex") && j["createdIndex"].is_number_unsigned()) {
    n.created_index = j["createdIndex"].get<uint64_t>();
  }
  if (j.contains("modifiedIndex") && j["modifiedIndex"].is_number_unsigned()) {
    n.modified_index = j["modifiedIndex"].get<uint64_t>();
  }
  return n;
}

// A 5xx answer or no answer at all is a "cluster error" (Unavailable), the
// kind etcd retries; everything else is what the server said.
Result<KeysAnswer> ParseAnswer(const HttpResponse& r, const std::string& what) {
  if (r.status / 100 == 5) return Status::Unavailable(what + ": server error " + std::to_string(r.status));
  KeysAnswer a;
  if (r.status != 200 && r.status != 201) {
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_object() || !j.contains("errorCode") || !j["errorCode"].is_number_integer()) {
      return Status::InvalidArgument(kInvalidJson);
    }
    a.error_code = j["errorCode"].get<int>();
    auto text = [&](const char* k) {
      if (!j.contains(k)) return std::string();
      return j[k].is_string() ? j[k].get<std::string>() : j[k].dump();
    };
    a.error = std::to_string(a.error_code) + ": " + text("message") + " (" + text("cause") + ") [" +
              text("index") + "]";
    return a;
  }
  if (r.body.empty()) {
    a.empty = true;
    return a;
  }
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("node")) return Status::InvalidArgument(kInvalidJson);
  if (!ParseDecimal(r.Header("X-Etcd-Index"), &a.index)) {
    return Status::InvalidArgument(what + ": bad X-Etcd-Index \"" + r.Header("X-Etcd-Index") + "\"");
  }
  a.node = ParseNode(j["node"]);
  if (j["node"].is_object() && j["node"].contains("nodes") && j["node"]["nodes"].is_array()) {
    for (const auto& child : j["node"]["nodes"]) a.children.push_back(ParseNode(child));
  }
  return a;
}

// "name=url,name=url" (the members' values joined) as etcd's URLs map: the
// number of distinct names, or an error when a URL does not parse.
Result<size_t> CountClusterNames(const std::string& joined) {
  std::map<std::string, std::vector<std::string>> urls;
  size_t start = 0;
  while (start < joined.size()) {
    size_t comma = std::min(joined.find(',', start), joined.size());
    std::string item = joined.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    urls[item.substr(0, eq)].push_back(eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  for (const auto& [name, list] : urls) {
    Result<std::vector<Url>> parsed = ParseUrlList(list);
    if (!parsed.ok()) return parsed.status();
  }
  return urls.size();
}

// The initial cluster from the first `size` registrations (etcd's nodesToCluster).
Result<std::string> NodesToCluster(const std::vector<Node>& nodes, uint64_t size) {
  std::string joined;
  for (size_t i = 0; i < nodes.size(); ++i) joined += (i ? "," : "") + nodes[i].value;
  Result<size_t> names = CountClusterNames(joined);
  if (!names.ok()) return Status::InvalidArgument(kInvalidUrl);
  if (*names != size) return Status::InvalidArgument(kDiscoveryDuplicateName);
  return joined;
}

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
    Result<Cluster> c = CheckCluster();
    if (!c.ok()) return c.status();
    if (c->full) return Status::AlreadyExists(kDiscoveryClusterFull);
    Status s = CreateSelf(registration);
    if (!s.ok()) return s;
    c = CheckCluster();
    if (!c.ok()) return c.status();
    if (c->full) return Status::AlreadyExists(kDiscoveryClusterFull);
    const uint64_t size = c->size;
    Result<std::vector<Node>> all = WaitNodes(std::move(c).value());
    if (!all.ok()) return all.status();
    return NodesToCluster(*all, size);
  }

  Result<std::string> GetCluster() {
    Result<Cluster> c = CheckCluster();
    if (!c.ok()) return c.status();
    if (c->full) return NodesToCluster(c->nodes, c->size);
    const uint64_t size = c->size;
    Result<std::vector<Node>> all = WaitNodes(std::move(c).value());
    if (!all.ok()) return all.status();
    return NodesToCluster(*all, size);
  }

 private:
  struct Cluster {
    std::vector<Node> nodes;  // registrations by creation order; the first `size` when full
    uint64_t size = 0;
    uint64_t index = 0;  // X-Etcd-Index of the listing: watches start after it
    bool full = false;   // `size` others registered before this member
  };

  bool Stopped() const { return options_.stop && options_.stop(); }

  Result<KeysAnswer> Call(const std::string& method, const std::string& target, const std::string& form) {
    if (Stopped()) return Status::Timeout(kStopped);
    HttpOptions http;
    http.proxy = proxy_;
    http.timeout = kRequestTimeout;
    http.connect_timeout = kRequestTimeout;
    const std::string url = base_ + target;
    Result<HttpResponse> r =
        HttpDo(method, url, form, form.empty() ? "" : "application/x-www-form-urlencoded", http);
    if (!r.ok()) return r.status();  // Unavailable: a connection-level failure
    return ParseAnswer(*r, method + " " + url);
  }

  // The first event at or after `wait_index` under `key` (a v2 watch).
  Result<KeysAnswer> Watch(const std::string& key, bool recursive, uint64_t wait_index) {
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
      Result<KeysAnswer> a = ParseAnswer(*r, "GET " + url);
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
  Result<Cluster> CheckCluster() {
    while (true) {
      Result<Cluster> c = CheckClusterOnce();
      if (c.ok() || c.status().code() != Code::kUnavailable) return c;
      Status s = Backoff("cluster status check", c.status());
      if (!s.ok()) return s;
    }
  }

  Result<Cluster> CheckClusterOnce() {
    Result<KeysAnswer> size = Call("GET", token_ + "/_config/size" + kGetQuery, "");
    if (!size.ok()) {
      if (size.status().message() == kInvalidJson) return Status::InvalidArgument(kBadEndpoint);
      return size.status();
    }
    if (size->empty) return Status::InvalidArgument(kBadEndpoint);
    if (size->error_code == kErrorKeyNotFound) return Status::NotFound(kSizeNotFound);
    if (size->error_code != 0) return Status::InvalidArgument(size->error);
    Cluster c;
    if (!ParseDecimal(size->node.value, &c.size)) return Status::InvalidArgument(kBadSizeKey);

    Result<KeysAnswer> list = Call("GET", token_ + kGetQuery, "");
    if (!list.ok()) return list.status();
    if (list->empty) return Status::InvalidArgument(kInvalidJson);
    if (list->error_code != 0) return Status::InvalidArgument(list->error);
    c.index = list->index;
    for (Node& n : list->children) {
      if (BaseName(n.key) != "_config") c.nodes.push_back(std::move(n));
    }
    std::stable_sort(c.nodes.begin(), c.nodes.end(),
                     [](const Node& a, const Node& b) { return a.created_index < b.created_index; });
    // Full when `size` others come before this member (or it is absent).
    for (size_t i = 0; i < c.nodes.size(); ++i) {
      if (BaseName(c.nodes[i].key) == self_) break;
      if (c.size > 0 && i >= c.size - 1) {
        c.nodes.resize(c.size);
        c.full = true;
        break;
      }
    }
    return c;
  }

  // Step 3 and 4. Not retried, as in etcd: a PUT that timed out may have
  // landed, and doing it again would find this member's own key.
  Status CreateSelf(const std::string& registration) {
    const std::string key = token_ + "/" + self_;
    Result<KeysAnswer> put = Call("PUT", key + "?prevExist=false", "value=" + QueryEscape(registration));
    if (!put.ok()) return put.status();
    if (put->error_code == kErrorNodeExist) return Status::AlreadyExists(kDiscoveryDuplicateId);
    if (put->error_code != 0) return Status::InvalidArgument(put->error);
    if (put->empty) return Status::InvalidArgument(kInvalidJson);
    // Our key must be visible on the server we talk to before we list again.
    Result<KeysAnswer> seen = Watch(key, false, put->node.created_index);
    if (!seen.ok()) return seen.status();
    if (seen->error_code != 0) return Status::InvalidArgument(seen->error);
    return Status::OK();
  }

  // Step 6 (and 5 again after a watch failed on the connection).
  Result<std::vector<Node>> WaitNodes(Cluster c) {
    while (true) {
      Result<std::vector<Node>> all = WaitNodesOnce(std::move(c));
      if (all.ok() || all.status().code() != Code::kUnavailable) return all;
      Status s = Backoff("waiting for other nodes", all.status());
      if (!s.ok()) return s;
      Result<Cluster> again = CheckCluster();
      if (!again.ok()) return again.status();
      if (again->full) return Status::AlreadyExists(kDiscoveryClusterFull);
      c = std::move(again).value();
    }
  }

  Result<std::vector<Node>> WaitNodesOnce(Cluster c) {
    std::vector<Node> all = std::move(c.nodes);
    if (all.size() > c.size) all.resize(c.size);
    for (const Node& n : all) {
      KV_LOG(kInfo, "discovery") << (BaseName(n.key) == self_ ? "found self " : "found peer ") << BaseName(n.key)
                                 << " in the cluster";
    }
    uint64_t wait_index = c.index + 1;
    while (all.size() < c.size) {
      KV_LOG(kInfo, "discovery") << "found " << all.size() << " peer(s), waiting for " << c.size - all.size()
                                 << " more";
      Result<KeysAnswer> event = Watch(token_, true, wait_index);
      if (!event.ok()) return event.status();
      if (event->error_code != 0) return Status::InvalidArgument(event->error);
      // As etcd, every event under the token counts as a registration.
      KV_LOG(kInfo, "discovery") << "found peer " << BaseName(event->node.key) << " in the cluster";
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
