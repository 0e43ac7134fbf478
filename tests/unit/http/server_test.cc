// The Beast server end to end over loopback: raw bytes in, raw bytes out.
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "server/http/http.h"
#include "tests/unit/http/raw_client.h"

namespace http {
namespace {

using namespace std::chrono_literals;
using testing::MaskDate;
using testing::RawClient;

// A server on 127.0.0.1 with an ephemeral port, stopped at scope exit.
struct TestServer {
  explicit TestServer(Handler handler, ServerOptions options = {}) {
    auto r = Server::Listen({"127.0.0.1:0"}, std::move(handler), options);
    REQUIRE(r.ok());
    server = std::move(r.value());
    server->Start();
    port = server->Ports().at(0);
  }
  ~TestServer() { server->Stop(); }
  std::unique_ptr<Server> server;
  int port = 0;
};

// Exchanges the handler parked, for the test thread to answer.
class Parking {
 public:
  void Park(Request req, std::shared_ptr<Exchange> ex) {
    std::lock_guard<std::mutex> lock(mu_);
    parked_.emplace_back(std::move(req), std::move(ex));
    cv_.notify_all();
  }
  // Waits until `n` are parked, then hands them over.
  std::vector<std::pair<Request, std::shared_ptr<Exchange>>> Take(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return parked_.size() >= n; });
    return std::move(parked_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<Request, std::shared_ptr<Exchange>>> parked_;
};

Response Text(std::string body, int status = 200) {
  Response r;
  r.status = status;
  r.headers = {{"Content-Type", "text/plain"}};
  r.body = std::move(body);
  return r;
}

// Answers with the path.
void EchoPath(Request req, std::shared_ptr<Exchange> ex) { ex->Reply(Text(req.path)); }

std::string Get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n" + std::string(extra) + "\r\n";
}

std::string Answer(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

TEST_SUITE("http") {

TEST_CASE("server: a request's fields reach the handler and the answer is Go-shaped") {
  std::promise<Request> seen;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    seen.set_value(req);
    ex->Reply(Text("hi"));
  });
  RawClient c(ts.port);
  c.Send("PUT /v2/keys/a%2Fb?recursive=true&x HTTP/1.1\r\nHost: h\r\nX-Test: 1\r\n"
         "Content-Length: 7\r\n\r\nvalue=1");
  CHECK(MaskDate(c.ReadResponse()) == Answer("hi"));
  Request req = seen.get_future().get();
  CHECK(req.method == "PUT");
  CHECK(req.path == "/v2/keys/a%2Fb");
  CHECK(req.query == "recursive=true&x");
  CHECK(req.Header("x-test") == "1");
  CHECK(req.Header("missing") == "");
  CHECK(req.body == "value=1");
  CHECK_FALSE(req.body_too_large);
  CHECK(req.remote_addr.rfind("127.0.0.1:", 0) == 0);
}

TEST_CASE("server: keep-alive serves several requests on one connection") {
  TestServer ts(EchoPath);
  RawClient c(ts.port);
  for (const char* path : {"/1", "/2", "/3"}) {
    c.Send(Get(path));
    CHECK(MaskDate(c.ReadResponse()) == Answer(path));
  }
}

TEST_CASE("server: pipelined requests are answered in order") {
  Parking parking;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    if (req.path == "/slow") {
      parking.Park(std::move(req), std::move(ex));
    } else {
      ex->Reply(Text(req.path));
    }
  });
  RawClient c(ts.port);
  c.Send(Get("/slow") + Get("/2") + Get("/3"));
  auto parked = parking.Take(1);
  REQUIRE(parked.size() == 1);
  CHECK(c.Quiet(200ms));  // /2 and /3 wait behind /slow
  parked[0].second->Reply(Text("/slow"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/slow"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/2"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/3"));
}

TEST_CASE("server: a long pipeline answered inside the handler is served in order") {
  TestServer ts(EchoPath);
  RawClient c(ts.port);
  std::string pipeline;
  constexpr int kRequests = 1000;
  for (int i = 0; i < kRequests; ++i) pipeline += Get("/" + std::to_string(i));
  c.Send(pipeline);
  for (int i = 0; i < kRequests; ++i) {
    const std::string path = "/" + std::to_string(i);
    REQUIRE(MaskDate(c.ReadResponse()) == Answer(path));
  }
}

TEST_CASE("server: a pipelined body that arrives while an answer is pending is read intact") {
  Parking parking;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    if (req.path == "/slow") {
      parking.Park(std::move(req), std::move(ex));
    } else {
      ex->Reply(Text(req.body));
    }
  });
  RawClient c(ts.port);
  std::string body;
  for (int i = 0; body.size() < 3000; ++i) body += std::to_string(i) + ",";
  std::string post = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\n\r\n";
  // /slow is parked with the head and half the body of the POST buffered
  // behind it; the rest comes while the server waits for more.
  c.Send(Get("/slow") + post + body.substr(0, 1000));
  auto parked = parking.Take(1);
  REQUIRE(parked.size() == 1);
  std::this_thread::sleep_for(50ms);
  parked[0].second->Reply(Text("/slow"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/slow"));
  std::this_thread::sleep_for(50ms);  // the POST's buffered part is parsed first
  c.Send(body.substr(1000));
  CHECK(MaskDate(c.ReadResponse()) == Answer(body));
}

TEST_CASE("server: HEAD gets the head with the body's length, and no body") {
  TestServer ts(EchoPath);
  RawClient c(ts.port);
  c.Send("HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(MaskDate(c.ReadResponse(/*head_only=*/true)) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nContent-Length: 4\r\n\r\n");
  c.Send(Get("/next"));  // a body sent after the head would show up here
  CHECK(MaskDate(c.ReadResponse()) == Answer("/next"));
}

TEST_CASE("server: HTTP/1.0 and Connection: close end the connection after the answer") {
  TestServer ts(EchoPath);
  RawClient c10(ts.port);
  c10.Send("GET /a HTTP/1.0\r\n\r\n");
  CHECK(MaskDate(c10.ReadResponse()) ==
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nContent-Length: 2\r\n\r\n/a");
  CHECK(c10.WaitClosed());
  RawClient c11(ts.port);
  c11.Send(Get("/b", "Connection: close\r\n"));
  CHECK(MaskDate(c11.ReadResponse()) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: <date>\r\nContent-Length: 2\r\n"
        "Connection: close\r\n\r\n/b");
  CHECK(c11.WaitClosed());
}

TEST_CASE("server: a stream sends each write as its own chunk at once") {
  Parking parking;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    ex->StartStream(200, {{"Content-Type", "application/json"}});
    parking.Park(std::move(req), std::move(ex));
  });
  RawClient c(ts.port);
  c.Send(Get("/watch"));
  CHECK(MaskDate(c.ReadUntil("\r\n\r\n")) ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: <date>\r\n"
        "Transfer-Encoding: chunked\r\n\r\n");
  auto parked = parking.Take(1);
  REQUIRE(parked.size() == 1);
  auto ex = parked[0].second;
  ex->Write("first");
  CHECK(c.ReadUntil("\r\n", 2s) == "5\r\n");
  CHECK(c.ReadUntil("\r\n", 2s) == "first\r\n");
  ex->Write(std::string(20, 'x'));
  CHECK(c.ReadUntil("\r\n", 2s) == "14\r\n");
  CHECK(c.ReadUntil("\r\n", 2s) == std::string(20, 'x') + "\r\n");
  ex->End();
  CHECK(c.ReadUntil("\r\n\r\n", 2s) == "0\r\n\r\n");
  c.Send(Get("/after"));  // the connection is still usable
  CHECK(c.ReadUntil("\r\n\r\n", 2s).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

TEST_CASE("server: writes from another thread keep their order behind the handler's own calls") {
  // The handler starts a stream; another thread writes and ends it while the
  // handler is still running (as a watch answered from history does).
  TestServer ts([](Request, std::shared_ptr<Exchange> ex) {
    ex->StartStream(200, {{"Content-Type", "application/json"}});
    std::thread([ex] {
      ex->Write("event");
      ex->End();
    }).join();
  });
  RawClient c(ts.port);
  for (int i = 0; i < 20; ++i) {
    c.Send(Get("/watch"));
    CHECK(MaskDate(c.ReadUntil("\r\n\r\n", 2s)) ==
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: <date>\r\n"
          "Transfer-Encoding: chunked\r\n\r\n");
    CHECK(c.ReadUntil("0\r\n\r\n", 2s) == "5\r\nevent\r\n0\r\n\r\n");
  }
}

TEST_CASE("server: a reply from another thread after a delay") {
  TestServer ts([](Request, std::shared_ptr<Exchange> ex) {
    std::thread([ex] {
      std::this_thread::sleep_for(200ms);
      ex->Reply(Text("late"));
    }).detach();
  });
  RawClient c(ts.port);
  auto start = std::chrono::steady_clock::now();
  c.Send(Get("/"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("late"));
  CHECK(std::chrono::steady_clock::now() - start >= 200ms);
}

TEST_CASE("server: ReplyWith builds the answer on the connection's I/O thread") {
  std::promise<std::thread::id> io_thread;
  std::promise<std::thread::id> built_on;
  TestServer ts([&](Request, std::shared_ptr<Exchange> ex) {
    io_thread.set_value(std::this_thread::get_id());
    std::thread([ex, &built_on] {
      ex->ReplyWith([&built_on] {
        built_on.set_value(std::this_thread::get_id());
        return Text("built");
      });
    }).detach();
  });
  RawClient c(ts.port);
  c.Send(Get("/"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("built"));
  const bool same_thread = built_on.get_future().get() == io_thread.get_future().get();
  CHECK(same_thread);
}

TEST_CASE("server: ReplyWith after the server stopped drops the builder unrun") {
  Parking parking;
  auto ts = std::make_unique<TestServer>(
      [&](Request req, std::shared_ptr<Exchange> ex) { parking.Park(std::move(req), std::move(ex)); });
  RawClient c(ts->port);
  c.Send(Get("/"));
  auto parked = parking.Take(1);
  REQUIRE(parked.size() == 1);
  ts.reset();
  bool built = false;
  bool dropped = false;
  auto witness = std::shared_ptr<void>(nullptr, [&](void*) { dropped = true; });
  parked[0].second->ReplyWith([&built, witness] {
    built = true;
    return Text("unused");
  });
  witness.reset();
  CHECK(dropped);
  CHECK_FALSE(built);
}

TEST_CASE("server: a half-closed client still gets its answer") {
  TestServer ts([](Request, std::shared_ptr<Exchange> ex) {
    std::thread([ex] {
      std::this_thread::sleep_for(100ms);
      ex->Reply(Text("done"));
    }).detach();
  });
  RawClient c(ts.port);
  c.Send(Get("/"));
  c.ShutdownWrite();
  CHECK(MaskDate(c.ReadResponse()) == Answer("done"));
  CHECK(c.WaitClosed());
}

TEST_CASE("server: OnClientGone fires when a parked client hangs up, not after an answer") {
  Parking parking;
  std::atomic<int> gone{0};
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    ex->OnClientGone([&] { ++gone; });
    if (req.path == "/now") {
      ex->Reply(Text("ok"));
    } else {
      parking.Park(std::move(req), std::move(ex));
    }
  });
  {
    RawClient answered(ts.port);
    answered.Send(Get("/now"));
    CHECK(MaskDate(answered.ReadResponse()) == Answer("ok"));
  }
  RawClient parked_client(ts.port);
  parked_client.Send(Get("/park"));
  auto parked = parking.Take(1);
  REQUIRE(parked.size() == 1);
  std::this_thread::sleep_for(100ms);
  CHECK(gone == 0);
  parked_client.Close();
  for (int i = 0; i < 200 && gone == 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(gone == 1);
  parked[0].second->Reply(Text("too late"));  // ignored, no crash
}

TEST_CASE("server: a request sent while one is parked waits for its turn") {
  Parking parking;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    parking.Park(std::move(req), std::move(ex));
  });
  RawClient c(ts.port);
  c.Send(Get("/1"));
  auto first = parking.Take(1);
  REQUIRE(first.size() == 1);
  c.Send(Get("/2"));
  std::this_thread::sleep_for(100ms);
  first[0].second->Reply(Text("/1"));
  auto second = parking.Take(1);
  REQUIRE(second.size() == 1);
  CHECK(second[0].first.path == "/2");
  second[0].second->Reply(Text("/2"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/1"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/2"));
}

TEST_CASE("server: a body over the limit is not read, the handler is told, the connection ends") {
  ServerOptions options;
  options.max_body_bytes = 100;
  std::promise<Request> seen;
  TestServer ts(
      [&](Request req, std::shared_ptr<Exchange> ex) {
        seen.set_value(req);
        ex->Reply(Text("too large", 413));
      },
      options);
  RawClient c(ts.port);
  c.Send("PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'v'));
  CHECK(MaskDate(c.ReadResponse()) ==
        "HTTP/1.1 413 Request Entity Too Large\r\nContent-Type: text/plain\r\nDate: <date>\r\n"
        "Content-Length: 9\r\nConnection: close\r\n\r\ntoo large");
  CHECK(c.WaitClosed());
  Request req = seen.get_future().get();
  CHECK(req.body_too_large);
  CHECK(req.body.empty());
  CHECK(req.path == "/k");
}

TEST_CASE("server: a chunked body over the limit is cut off too") {
  ServerOptions options;
  options.max_body_bytes = 100;
  std::promise<bool> too_large;
  TestServer ts(
      [&](Request req, std::shared_ptr<Exchange> ex) {
        too_large.set_value(req.body_too_large);
        ex->Reply(Text("no", 413));
      },
      options);
  RawClient c(ts.port);
  c.Send("PUT /k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         "50\r\n" + std::string(80, 'v') + "\r\n50\r\n" + std::string(80, 'v') + "\r\n0\r\n\r\n");
  CHECK(c.ReadResponse().rfind("HTTP/1.1 413 ", 0) == 0);
  CHECK(c.WaitClosed());
  CHECK(too_large.get_future().get());
}

TEST_CASE("server: a chunked body whose last chunk comes in separate reads is answered") {
  // These reads failed an assertion inside Beast and ended the process
  // (found by fuzz/http_request_fuzz.cc; see server/http/boost_assert.cc).
  TestServer ts([](Request req, std::shared_ptr<Exchange> ex) { ex->Reply(Text(req.body)); });
  RawClient c(ts.port);
  c.Send("PUT /k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nvalue=1\r\n0\r\n");
  for (const char* piece : {"\r", "\n"}) {
    std::this_thread::sleep_for(50ms);  // a read of its own
    c.Send(piece);
  }
  CHECK(MaskDate(c.ReadResponse()) == Answer("value=1"));
  RawClient again(ts.port);
  again.Send(Get("/after"));
  CHECK(MaskDate(again.ReadResponse()) == Answer(""));
}

TEST_CASE("server: malformed requests get Go's 400 and the connection ends") {
  int calls = 0;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    ++calls;
    EchoPath(std::move(req), std::move(ex));
  });
  const std::string kBad =
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "Connection: close\r\n\r\n400 Bad Request";
  for (std::string request : {std::string("GET /a HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"),
                              std::string("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: z\r\n\r\n"),
                              std::string("\x01\x02\x03 nonsense\r\n\r\n")}) {
    RawClient c(ts.port);
    c.Send(request);
    CHECK(c.ReadToClose() == kBad);
  }
  RawClient no_host(ts.port);
  no_host.Send("GET / HTTP/1.1\r\n\r\n");
  CHECK(no_host.ReadToClose() ==
        "HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; "
        "charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request: missing required Host header");
  CHECK(calls == 0);
}

TEST_CASE("server: headers over the limit get Go's 431 and the connection ends") {
  ServerOptions options;
  options.max_header_bytes = 1024;
  TestServer ts(EchoPath, options);
  RawClient c(ts.port);
  c.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
  CHECK(c.ReadToClose() ==
        "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; "
        "charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large");
  RawClient small(ts.port);  // a head just under the limit is fine
  small.Send(Get("/ok", "X-Big: " + std::string(900, 'a') + "\r\n"));
  CHECK(MaskDate(small.ReadResponse()) == Answer("/ok"));
}

TEST_CASE("server: Expect: 100-continue gets its interim answer before the body is sent") {
  TestServer ts([](Request req, std::shared_ptr<Exchange> ex) { ex->Reply(Text(req.body)); });
  RawClient c(ts.port);
  c.Send("PUT /k HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  CHECK(c.ReadUntil("\r\n\r\n", 2s) == "HTTP/1.1 100 Continue\r\n\r\n");
  c.Send("hello");
  CHECK(MaskDate(c.ReadResponse()) == Answer("hello"));
}

TEST_CASE("server: a slow request head and an idle connection are closed") {
  ServerOptions options;
  options.read_header_timeout = 1s;
  options.idle_timeout = 1s;
  TestServer ts(EchoPath, options);
  RawClient slow(ts.port);
  RawClient idle(ts.port);
  slow.Send("GET / HTTP/1.1\r\nHo");
  idle.Send(Get("/x"));
  CHECK(MaskDate(idle.ReadResponse()) == Answer("/x"));
  auto start = std::chrono::steady_clock::now();
  CHECK(slow.WaitClosed(3s));
  CHECK(idle.WaitClosed(3s));
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= 500ms);
  CHECK(waited < 2500ms);
}

TEST_CASE("server: 2,000 parked exchanges are all answered when released") {
  constexpr int kClients = 2000;
  Parking parking;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    ex->OnClientGone([] {});
    parking.Park(std::move(req), std::move(ex));
  });
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(ts.port));
    REQUIRE(clients.back()->connected());
    clients.back()->Send(Get("/w/" + std::to_string(i)));
  }
  auto parked = parking.Take(kClients);
  REQUIRE(parked.size() == kClients);
  std::thread releaser([&] {
    for (auto& [req, ex] : parked) ex->Reply(Text(req.path));
  });
  int answered = 0;
  for (int i = 0; i < kClients; ++i) {
    if (MaskDate(clients[i]->ReadResponse()) == Answer("/w/" + std::to_string(i))) ++answered;
  }
  releaser.join();
  CHECK(answered == kClients);
}

TEST_CASE("server: Stop with parked exchanges tells them their clients are gone") {
  constexpr int kClients = 50;
  Parking parking;
  std::atomic<int> gone{0};
  auto ts = std::make_unique<TestServer>([&](Request req, std::shared_ptr<Exchange> ex) {
    ex->OnClientGone([&] { ++gone; });
    parking.Park(std::move(req), std::move(ex));
  });
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(ts->port));
    clients.back()->Send(Get("/w"));
  }
  auto parked = parking.Take(kClients);
  REQUIRE(parked.size() == kClients);
  ts->server->Stop();
  CHECK(gone.load() == kClients);
  for (auto& client : clients) CHECK(client->WaitClosed(2s));
  ts.reset();
  // Exchanges outliving the server: calls are ignored, dropping them is safe.
  for (auto& [req, ex] : parked) {
    ex->Reply(Text("after stop"));
    ex->StartStream(200, {});
    ex->End();
  }
  parked.clear();
}

TEST_CASE("server: Listen binds names and reports an address in use") {
  auto first = Server::Listen({"localhost:0", "127.0.0.1:0"}, EchoPath, {});
  REQUIRE(first.ok());
  auto ports = (*first)->Ports();
  REQUIRE(ports.size() == 2);
  CHECK(ports[0] > 0);
  (*first)->Start();
  RawClient c(ports[0]);
  c.Send(Get("/named"));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/named"));

  std::string taken = "127.0.0.1:" + std::to_string(ports[1]);
  auto second = Server::Listen({taken}, EchoPath, {});
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().message() ==
        "listen tcp " + taken + ": bind: address already in use");
  CHECK_FALSE(Server::Listen({"no-port"}, EchoPath, {}).ok());
  CHECK_FALSE(Server::Listen({"127.0.0.1:99999"}, EchoPath, {}).ok());
  (*first)->Stop();
}

}  // TEST_SUITE
}  // namespace
}  // namespace http
