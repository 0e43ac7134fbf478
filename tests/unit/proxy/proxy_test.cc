// The proxy end to end within the process: in-process httplib members, the
// Proxy's handler called directly with a recording Exchange.
#include "server/proxy/proxy.h"

#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "server/proxy/cluster_file.h"

using namespace std::chrono_literals;

namespace {

// An httplib server on a loopback port, serving on its own thread.
class Backend {
 public:
  // Bound and listening at once: connections queue until Start().
  Backend() { port_ = server_.bind_to_any_port("127.0.0.1"); }
  ~Backend() { Stop(); }
  httplib::Server& server() { return server_; }
  // Returns once it accepts: httplib's stop() before that is lost, and the
  // listening thread would never end.
  void Start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) std::this_thread::sleep_for(10ms);
  }
  void Stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A URL on which nothing listens: connections are refused. (A port taken
// from a socket bound, never listened on, then closed.)
std::string DeadUrl() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
}

// Records what the proxy answers; waits for it.
class FakeExchange : public http::Exchange {
 public:
  void Reply(http::Response response) override {
    std::lock_guard<std::mutex> lock(mu_);
    status = response.status;
    headers = std::move(response.headers);
    body = std::move(response.body);
    done = true;
    cv_.notify_all();
  }
  void StartStream(int s, http::Headers h) override {
    std::lock_guard<std::mutex> lock(mu_);
    status = s;
    headers = std::move(h);
    streamed = true;
    cv_.notify_all();
  }
  void Write(std::string chunk) override {
    std::lock_guard<std::mutex> lock(mu_);
    body += chunk;
    cv_.notify_all();
  }
  void End() override {
    std::lock_guard<std::mutex> lock(mu_);
    done = true;
    cv_.notify_all();
  }
  void OnClientGone(std::function<void()> cb) override {
    std::lock_guard<std::mutex> lock(mu_);
    gone = std::move(cb);
  }

  // Waits until `pred` holds (under the lock); false after 5 s.
  template <typename Pred>
  bool WaitFor(Pred pred) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 5s, pred);
  }
  bool WaitDone() {
    return WaitFor([this] { return done; });
  }
  std::string Header(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    for (const auto& [k, v] : headers) {
      if (strcasecmp(k.c_str(), name.c_str()) == 0) out += (out.empty() ? "" : "|") + v;
    }
    return out;
  }
  void ClientLeaves() {
    std::function<void()> cb;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cb = gone;
    }
    REQUIRE(cb);
    cb();
  }

  int status = 0;
  http::Headers headers;
  std::string body;
  bool streamed = false;
  bool done = false;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> gone;
};

http::Request MakeRequest(const std::string& method, const std::string& path, const std::string& query = "") {
  http::Request req;
  req.method = method;
  req.path = path;
  req.query = query;
  req.remote_addr = "10.1.2.3:5000";
  req.headers = {{"Host", "proxy.example:2379"}};
  return req;
}

// A Proxy whose member list is `client_urls` (or a failure when empty).
proxy::Options TestOptions() {
  proxy::Options o;
  o.seed = 42;
  return o;
}

proxy::FetchClusterFn FixedCluster(std::vector<std::string> client_urls) {
  return [client_urls](const std::vector<std::string>&) -> common::Result<proxy::ClusterUrls> {
    if (client_urls.empty()) return common::Status::Unavailable("no member answered");
    return proxy::ClusterUrls{{"http://127.0.0.1:1"}, client_urls};
  };
}

std::shared_ptr<FakeExchange> Serve(proxy::Proxy& p, http::Request req) {
  auto ex = std::make_shared<FakeExchange>();
  p.Handler()(std::move(req), ex);
  return ex;
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("a request reaches a member with X-Forwarded-For, and any answer comes back") {
    Backend member;
    std::string seen;
    member.server().Put("/v2/keys/a", [&](const httplib::Request& req, httplib::Response& res) {
      seen = req.get_header_value("Host") + " " + req.get_header_value("X-Forwarded-For") + " " +
             std::to_string(req.has_header("Proxy-Authorization")) + " " + req.body + " " +
             req.get_param_value("x");
      res.status = 412;
      res.set_header("X-Etcd-Index", "9");
      res.set_header("Keep-Alive", "timeout=5");
      res.set_content(R"({"errorCode":101})", "application/json");
    });
    member.Start();
    proxy::Proxy p(TestOptions(), {}, FixedCluster({member.url()}));
    p.Start();
    auto req = MakeRequest("PUT", "/v2/keys/a", "x=a+b%2Cc");
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.headers.emplace_back("Proxy-Authorization", "secret");
    req.headers.emplace_back("X-Forwarded-For", "192.0.2.1");
    req.body = "value=1";
    auto ex = Serve(p, req);
    REQUIRE(ex->WaitDone());
    CHECK(seen == "proxy.example:2379 192.0.2.1, 10.1.2.3 0 value=1 a b,c");
    CHECK(ex->status == 412);
    CHECK_FALSE(ex->streamed);
    CHECK(ex->body == R"({"errorCode":101})");
    CHECK(ex->Header("X-Etcd-Index") == "9");
    CHECK(ex->Header("Content-Length") == "17");
    CHECK(ex->Header("Keep-Alive") == "");
    // The proxy's CORS headers come first, then the member's (none here).
    REQUIRE(ex->headers.size() >= 3);
    for (size_t i = 0; i < 3; ++i) {
      CHECK(ex->headers[i].first.rfind("Access-Control-Allow-", 0) == 0);
    }
    p.Stop();
  }

  TEST_CASE("a transport error fails over to the next endpoint and marks the first unavailable") {
    Backend member;
    member.server().Get("/version", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    member.Start();
    std::string dead = DeadUrl();
    proxy::Director director(300ms, 1);
    director.Replace({dead, member.url()});
    proxy::Cancellation cancel;
    FakeExchange ex;
    proxy::ClientPool pool({});
    proxy::Forward(MakeRequest("GET", "/version"), {dead, member.url()}, {}, pool, director, cancel, ex);
    REQUIRE(ex.WaitDone());
    CHECK(ex.status == 200);
    CHECK(ex.body == "ok");
    CHECK(director.Available(proxy::Director::Clock::now()) == std::vector<std::string>{member.url()});
    std::this_thread::sleep_for(350ms);
    CHECK(director.Available(proxy::Director::Clock::now()).size() == 2);
  }

  TEST_CASE("forwards reuse the connection to a member") {
    Backend member;
    std::mutex mu;
    std::vector<int> ports;  // the proxy's end of each request's connection
    member.server().Put("/v2/keys/a", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu);
      ports.push_back(req.remote_port);
      res.set_content("{}", "application/json");
    });
    member.Start();
    proxy::Director director(300ms, 1);
    director.Replace({member.url()});
    proxy::ClientPool pool({});
    for (int i = 0; i < 3; ++i) {
      proxy::Cancellation cancel;
      FakeExchange ex;
      proxy::Forward(MakeRequest("PUT", "/v2/keys/a"), {member.url()}, {}, pool, director, cancel, ex);
      REQUIRE(ex.WaitDone());
      CHECK(ex.status == 200);
    }
    std::lock_guard<std::mutex> lock(mu);
    REQUIRE(ports.size() == 3);
    CHECK(ports[1] == ports[0]);
    CHECK(ports[2] == ports[0]);
  }

  TEST_CASE("answers without a body (HEAD, 204) are relayed, not taken for failures") {
    Backend member;
    member.server().Get("/v2/keys/a", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Etcd-Index", "3");
      res.set_content("{}", "application/json");
    });
    member.server().Delete("/v2/keys/a", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    member.Start();
    proxy::Proxy p(TestOptions(), {}, FixedCluster({member.url()}));
    p.Start();
    auto head = Serve(p, MakeRequest("HEAD", "/v2/keys/a"));
    REQUIRE(head->WaitDone());
    CHECK(head->status == 200);
    CHECK(head->Header("X-Etcd-Index") == "3");
    CHECK(head->Header("Content-Length") == "2");
    CHECK(head->body.empty());
    auto del = Serve(p, MakeRequest("DELETE", "/v2/keys/a"));
    REQUIRE(del->WaitDone());
    CHECK(del->status == 204);
    CHECK(p.Endpoints() == std::vector<std::string>{member.url()});
    p.Stop();
  }

  TEST_CASE("no endpoint answering gives etcd's 502, then none available its 503") {
    std::string dead1 = DeadUrl(), dead2 = DeadUrl();
    proxy::Proxy p(TestOptions(), {}, FixedCluster({dead1, dead2}));
    p.Start();
    auto ex = Serve(p, MakeRequest("GET", "/v2/keys/a"));
    REQUIRE(ex->WaitDone());
    CHECK(ex->status == 502);
    CHECK(ex->body == R"x({"message":"httpproxy: unable to get response from 2 endpoint(s)"})x");
    CHECK(ex->Header("Content-Type") == "application/json");
    CHECK(ex->Header("Access-Control-Allow-Origin") == "*");
    auto again = Serve(p, MakeRequest("GET", "/v2/keys/a"));
    REQUIRE(again->WaitDone());
    CHECK(again->status == 503);
    CHECK(again->body == R"({"message":"httpproxy: zero endpoints currently available"})");
    p.Stop();
  }

  TEST_CASE("a failed refresh leaves no endpoint, as in etcd") {
    proxy::Proxy p(TestOptions(), {"http://127.0.0.1:1"}, FixedCluster({}));
    p.Start();
    CHECK(p.Endpoints().empty());
    auto ex = Serve(p, MakeRequest("GET", "/v2/keys/a"));
    REQUIRE(ex->WaitDone());
    CHECK(ex->status == 503);
    p.Stop();
  }

  TEST_CASE("a readonly proxy refuses everything but GET with an empty 501") {
    Backend member;
    std::atomic<int> hits{0};
    member.server().Get("/v2/keys/a", [&](const httplib::Request&, httplib::Response& res) {
      ++hits;
      res.set_content("{}", "application/json");
    });
    member.server().Put("/v2/keys/a", [&](const httplib::Request&, httplib::Response&) { ++hits; });
    member.Start();
    proxy::Options o = TestOptions();
    o.readonly = true;
    proxy::Proxy p(o, {}, FixedCluster({member.url()}));
    p.Start();
    for (const char* method : {"PUT", "POST", "DELETE", "HEAD", "OPTIONS"}) {
      auto ex = Serve(p, MakeRequest(method, "/v2/keys/a"));
      REQUIRE(ex->WaitDone());
      CHECK(ex->status == 501);
      CHECK(ex->body.empty());
      CHECK(ex->headers.empty());
    }
    CHECK(hits == 0);
    auto ex = Serve(p, MakeRequest("GET", "/v2/keys/a"));
    REQUIRE(ex->WaitDone());
    CHECK(ex->status == 200);
    CHECK(hits == 1);
    p.Stop();
  }

  TEST_CASE("the proxy answers OPTIONS, unclean paths and its config endpoint itself") {
    proxy::Proxy p(TestOptions(), {}, FixedCluster({"http://127.0.0.1:9"}));
    p.Start();
    auto options = Serve(p, MakeRequest("OPTIONS", "/v2/keys/a"));
    CHECK(options->status == 200);
    CHECK(options->Header("Access-Control-Allow-Methods") == "POST, GET, OPTIONS, PUT, DELETE");
    auto redirect = Serve(p, MakeRequest("GET", "/v2//keys/a"));
    CHECK(redirect->status == 301);
    CHECK(redirect->Header("Location") == "/v2/keys/a");
    auto config = Serve(p, MakeRequest("GET", "/v2/config/local/proxy"));
    CHECK(config->status == 200);
    CHECK(config->body == "{\"endpoints\":[\"http://127.0.0.1:9\"]}\n");
    auto put = Serve(p, MakeRequest("PUT", "/v2/config/local/proxy"));
    CHECK(put->status == 405);
    CHECK(put->Header("Allow") == "GET");
    p.Stop();
  }

  TEST_CASE("a chunked answer is relayed as it arrives, and a client leaving ends it") {
    Backend member;
    std::atomic<bool> member_done{false};
    member.server().Get("/v2/keys/a", [&](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("application/json", [&](size_t, httplib::DataSink& sink) {
        sink.write("event1", 6);
        // Hold the long poll open until the proxy's side goes away.
        for (int i = 0; i < 500 && sink.is_writable(); ++i) std::this_thread::sleep_for(10ms);
        member_done = true;
        sink.done();
        return true;
      });
    });
    member.Start();
    proxy::Proxy p(TestOptions(), {}, FixedCluster({member.url()}));
    p.Start();
    auto ex = Serve(p, MakeRequest("GET", "/v2/keys/a", "wait=true"));
    REQUIRE(ex->WaitFor([&] { return ex->body == "event1"; }));
    CHECK(ex->streamed);
    CHECK(ex->status == 200);
    CHECK(ex->Header("Transfer-Encoding") == "");
    CHECK(ex->Header("Content-Type") == "application/json");
    CHECK_FALSE(ex->done);
    auto start = std::chrono::steady_clock::now();
    ex->ClientLeaves();
    p.Stop();  // returns once the forward has let go
    CHECK(std::chrono::steady_clock::now() - start < 2s);
  }

  TEST_CASE("long polls do not hold up other requests") {
    Backend member;
    std::atomic<bool> release{false};
    member.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(10ms);
      res.set_content("slow", "text/plain");
    });
    member.server().Get("/fast", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("fast", "text/plain");
    });
    member.server().new_task_queue = [] { return new httplib::ThreadPool(16); };
    member.Start();
    proxy::Proxy p(TestOptions(), {}, FixedCluster({member.url()}));
    p.Start();
    std::vector<std::shared_ptr<FakeExchange>> slow;
    for (int i = 0; i < 4; ++i) slow.push_back(Serve(p, MakeRequest("GET", "/slow")));
    auto fast = Serve(p, MakeRequest("GET", "/fast"));
    REQUIRE(fast->WaitDone());
    CHECK(fast->body == "fast");
    for (auto& s : slow) CHECK_FALSE(s->done);
    release = true;
    for (auto& s : slow) CHECK(s->WaitDone());
    p.Stop();
  }

  TEST_CASE("watches have workers of their own: past their bound they get 503, others go on") {
    Backend member;
    std::atomic<bool> release{false};
    std::atomic<int> watches_seen{0};
    member.server().Get("/v2/keys/w", [&](const httplib::Request&, httplib::Response& res) {
      ++watches_seen;
      for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(10ms);
      res.set_content("event", "application/json");
    });
    member.server().Get("/fast", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("fast", "text/plain");
    });
    member.server().new_task_queue = [] { return new httplib::ThreadPool(16); };
    member.Start();
    proxy::Options o = TestOptions();
    o.max_forwards = 2;
    o.max_waiting = 0;
    o.max_watches = 3;
    proxy::Proxy p(o, {}, FixedCluster({member.url()}));
    p.Start();
    std::vector<std::shared_ptr<FakeExchange>> watches;
    for (int i = 0; i < 3; ++i) watches.push_back(Serve(p, MakeRequest("GET", "/v2/keys/w", "wait=true")));
    for (int i = 0; i < 200 && watches_seen < 3; ++i) std::this_thread::sleep_for(10ms);
    CHECK(watches_seen == 3);
    auto refused = Serve(p, MakeRequest("GET", "/v2/keys/w", "recursive=true&wait=1"));
    REQUIRE(refused->WaitDone());
    CHECK(refused->status == 503);
    CHECK(refused->body == R"({"message":"httpproxy: too many watches in flight"})");
    // Ordinary requests still have both their workers.
    auto a = Serve(p, MakeRequest("GET", "/fast"));
    auto b = Serve(p, MakeRequest("GET", "/fast"));
    REQUIRE(a->WaitDone());
    REQUIRE(b->WaitDone());
    CHECK(a->body == "fast");
    CHECK(b->body == "fast");
    for (auto& w : watches) CHECK_FALSE(w->done);
    release = true;
    for (auto& w : watches) CHECK(w->WaitDone());
    p.Stop();
  }

  TEST_CASE("a body over the limit is refused, never forwarded without it") {
    Backend member;
    std::atomic<int> seen{0};
    member.server().Put("/v2/keys/k", [&](const httplib::Request&, httplib::Response& res) {
      ++seen;
      res.status = 201;
    });
    member.Start();
    proxy::Proxy p(TestOptions(), {}, FixedCluster({member.url()}));
    p.Start();
    http::Request req = MakeRequest("PUT", "/v2/keys/k");
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.body_too_large = true;  // what the server hands over: no body
    auto ex = Serve(p, std::move(req));
    REQUIRE(ex->WaitDone());
    CHECK(ex->status == 413);
    CHECK(ex->body == R"({"message":"httpproxy: request body too large"})");
    CHECK(seen == 0);
    p.Stop();
  }

  TEST_CASE("a successful refresh writes the cluster file") {
    char tmpl[] = "/tmp/proxy-test-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    proxy::Options o = TestOptions();
    o.proxy_dir = dir;
    proxy::Proxy p(o, {"http://127.0.0.1:1"}, [](const std::vector<std::string>&) {
      return common::Result<proxy::ClusterUrls>(
          proxy::ClusterUrls{{"http://127.0.0.1:7001", "http://127.0.0.1:7002"}, {"http://127.0.0.1:4001"}});
    });
    p.Start();
    auto urls = proxy::ReadClusterFile(dir);
    REQUIRE(urls.ok());
    CHECK(*urls == std::vector<std::string>{"http://127.0.0.1:7001", "http://127.0.0.1:7002"});
    p.Stop();
    std::filesystem::remove_all(dir);
  }
}
