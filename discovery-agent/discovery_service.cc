// The self-hosted discovery service; see discovery_service.h.
//
// Served with cpp-httplib rather than Boost.Beast: the service is a handful of
// blocking request/response routes, httplib is already the project's HTTP
// library (no new dependency), and its thread-per-request model suits the
// long-poll watches members hold open while they wait for the cluster to fill.
#include "discovery-agent/discovery_service.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <map>

#include <httplib.h>

#include "common/go_flag.h"
#include "common/http_client.h"
#include "common/strings.h"
#include "common/log.h"

namespace agent {
namespace {

using common::Result;
using common::Status;

constexpr int kDefaultSize = 3;
// Members wait on a token with long-poll watches; each holds a thread.
constexpr size_t kThreads = 64;
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr auto kWatchTimeout = std::chrono::minutes(10);
// Headers of the v2 API a discovery client reads.
const char* const kRelayedHeaders[] = {"X-Etcd-Index", "X-Etcd-Cluster-Id", "X-Raft-Index", "X-Raft-Term"};

// The endpoints flag: comma separated, empty parts and trailing slashes dropped.
std::vector<std::string> EndpointList(const std::string& s) {
  std::vector<std::string> out;
  for (std::string part : common::SplitCommas(s)) {
    while (!part.empty() && part.back() == '/') part.pop_back();
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// Go's http.Error: text, a newline, text/plain.
void TextError(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text + "\n", "text/plain; charset=utf-8");
}

// One request to the first backing endpoint that answers.
Result<common::HttpResponse> Backend(const ServiceConfig& cfg, const std::string& method, const std::string& target,
                                     const std::string& body, const std::string& content_type, bool watch) {
  common::HttpOptions options;
  options.timeout = watch ? std::chrono::milliseconds(kWatchTimeout) : std::chrono::milliseconds(kRequestTimeout);
  std::string failures;
  for (const std::string& endpoint : cfg.endpoints) {
    Result<common::HttpResponse> r = common::HttpDo(method, endpoint + target, body, content_type, options);
    if (r.ok()) return r;
    failures += (failures.empty() ? "" : "; ") + r.status().message();
  }
  return Status::Unavailable("no backing endpoint answered: " + failures);
}

void HandleNew(const ServiceConfig& cfg, const httplib::Request& req, httplib::Response& res) {
  const std::string* size_param = req.has_param("size") ? &req.params.find("size")->second : nullptr;
  Result<int> size = ParseClusterSize(size_param);
  if (!size.ok()) return TextError(res, 400, size.status().message());
  Result<std::string> token = NewToken();
  if (!token.ok()) {
    KV_LOG(kError, "discovery") << token.status().message();
    return TextError(res, 400, "Unable to generate token");
  }
  Result<common::HttpResponse> r =
      Backend(cfg, "PUT", "/v2/keys" + cfg.prefix + "/" + *token + "/_config/size?prevExist=false",
              "value=" + std::to_string(*size), "application/x-www-form-urlencoded", false);
  if (!r.ok() || r->status != 201) {
    KV_LOG(kError, "discovery") << "creating token " << *token << ": "
                                << (r.ok() ? std::to_string(r->status) + " " + r->body : r.status().message());
    return TextError(res, 400, "Unable to generate token");
  }
  std::string base = cfg.public_url.empty() ? "http://" + req.get_header_value("Host") : cfg.public_url;
  KV_LOG(kInfo, "discovery") << "new token " << *token << " of size " << *size;
  res.set_content(base + "/" + *token, "text/plain");
}

void HandleToken(const ServiceConfig& cfg, const httplib::Request& req, httplib::Response& res) {
  std::string query;
  if (size_t q = req.target.find('?'); q != std::string::npos) query = req.target.substr(q);
  std::string target = "/v2/keys" + cfg.prefix + "/" + req.matches[1].str() + req.matches[2].str() + query;
  bool watch = req.has_param("wait") && req.get_param_value("wait") == "true";
  Result<common::HttpResponse> r =
      Backend(cfg, req.method, target, req.body, req.get_header_value("Content-Type"), watch);
  if (!r.ok()) return TextError(res, 502, r.status().message());
  res.status = r->status;
  for (const char* h : kRelayedHeaders) {
    std::string v = r->Header(h);
    if (!v.empty()) res.set_header(h, v);
  }
  std::string type = r->Header("Content-Type");
  res.set_content(r->body, type.empty() ? "application/json" : type);
}

void HandleHealth(const ServiceConfig& cfg, httplib::Response& res) {
  Result<common::HttpResponse> r = Backend(cfg, "GET", "/health", "", "", false);
  if (!r.ok()) return TextError(res, 503, r.status().message());
  if (r->status != 200) return TextError(res, 503, "backing cluster unhealthy: " + r->body);
  res.set_content("OK\n", "text/plain");
}

}  // namespace

Result<ServiceConfig> ParseServiceArgs(const std::vector<std::string>& args) {
  std::map<std::string, std::string> given;  // the last value of each flag
  common::GoFlagScanner scan(args);
  for (common::GoFlag arg; scan.Next(&arg);) {
    if (arg.name != "listen-addr" && arg.name != "endpoints" && arg.name != "public-url" && arg.name != "prefix") {
      return common::GoFlagNotDefined(arg.name);
    }
    Status st = scan.TakeValue(&arg);
    if (!st.ok()) return st;
    given[arg.name] = *arg.value;
  }
  if (!scan.status().ok()) return scan.status();
  const std::vector<std::string> rest = scan.Rest();
  if (!rest.empty()) return Status::InvalidArgument("unexpected argument " + rest.front());
  auto value_or = [&given](const std::string& name, const std::string& fallback) {
    auto it = given.find(name);
    return it == given.end() ? fallback : it->second;
  };
  ServiceConfig cfg;
  std::string listen = value_or("listen-addr", "");
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Status::InvalidArgument("--listen-addr HOST:PORT is required");
  cfg.listen_host = listen.substr(0, colon);
  if (cfg.listen_host.size() >= 2 && cfg.listen_host.front() == '[') {
    cfg.listen_host = cfg.listen_host.substr(1, cfg.listen_host.size() - 2);
  }
  if (cfg.listen_host.empty()) cfg.listen_host = "0.0.0.0";
  std::string port_text = listen.substr(colon + 1);
  if (port_text.empty() || port_text.find_first_not_of("0123456789") != std::string::npos ||
      port_text.size() > 5 || std::stoi(port_text) > 65535) {
    return Status::InvalidArgument("--listen-addr: bad port in " + listen);
  }
  cfg.listen_port = std::stoi(port_text);
  cfg.endpoints = EndpointList(value_or("endpoints", ""));
  if (cfg.endpoints.empty()) return Status::InvalidArgument("--endpoints URLS is required");
  for (const std::string& e : cfg.endpoints) {
    Result<common::SplitUrl> u = common::SplitHttpUrl(e);
    if (!u.ok()) return Status::InvalidArgument("--endpoints: " + u.status().message());
  }
  cfg.public_url = value_or("public-url", "");
  while (!cfg.public_url.empty() && cfg.public_url.back() == '/') cfg.public_url.pop_back();
  cfg.prefix = value_or("prefix", cfg.prefix);
  if (cfg.prefix.empty() || cfg.prefix[0] != '/') cfg.prefix = "/" + cfg.prefix;
  while (cfg.prefix.size() > 1 && cfg.prefix.back() == '/') cfg.prefix.pop_back();
  return cfg;
}

Result<int> ParseClusterSize(const std::string* value) {
  if (value == nullptr) return kDefaultSize;
  const std::string& s = *value;
  const Status syntax = Status::InvalidArgument("strconv.Atoi: parsing \"" + s + "\": invalid syntax");
  size_t digits = !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0;
  if (digits == s.size() || s.find_first_not_of("0123456789", digits) != std::string::npos) return syntax;
  if (s.size() - digits > 9) return Status::InvalidArgument("strconv.Atoi: parsing \"" + s + "\": value out of range");
  int n = std::stoi(s);
  if (n < 1) return Status::InvalidArgument("invalid size " + s + ": a cluster has at least 1 member");
  return n;
}

Result<std::string> NewToken() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = ::getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(std::string("getrandom: ") + std::strerror(errno));
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

int RunDiscoveryService(const std::vector<std::string>& args) {
  Result<ServiceConfig> parsed = ParseServiceArgs(args);
  if (!parsed.ok()) {
    std::cerr << "kvraft-agent discovery-service: " << parsed.status().message() << std::endl;
    return 2;
  }
  const ServiceConfig cfg = *parsed;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server.Get("/new", [&cfg](const httplib::Request& req, httplib::Response& res) { HandleNew(cfg, req, res); });
  server.Get("/health", [&cfg](const httplib::Request&, httplib::Response& res) { HandleHealth(cfg, res); });
  const char* token_route = R"(/([a-f0-9]{32})(/.*)?)";
  auto token = [&cfg](const httplib::Request& req, httplib::Response& res) { HandleToken(cfg, req, res); };
  server.Get(token_route, token);
  server.Put(token_route, token);
  server.Delete(token_route, token);
  if (!server.bind_to_port(cfg.listen_host, cfg.listen_port)) {
    std::cerr << "kvraft-agent discovery-service: cannot listen on " << cfg.listen_host << ":" << cfg.listen_port
              << ": " << std::strerror(errno) << std::endl;
    return 1;
  }
  std::string endpoints;
  for (const std::string& e : cfg.endpoints) endpoints += (endpoints.empty() ? "" : ",") + e;
  KV_LOG(kInfo, "discovery") << "discovery service on " << cfg.listen_host << ":" << cfg.listen_port
                             << ", tokens under " << cfg.prefix << " of " << endpoints;
  return server.listen_after_bind() ? 0 : 1;
}

}  // namespace agent
