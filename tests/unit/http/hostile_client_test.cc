// The Beast server against clients that do not play by the rules: huge or
// numerous header fields, long request lines, answers never read, hang-ups
// behind pipelined bytes, floods of connections, handlers that throw. Each
// refusal is checked, and so is that the server goes on serving.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "server/http/http.h"
#include "tests/unit/http/raw_client.h"
#include "tests/unit/http/test_server.h"

namespace http {
namespace {

using namespace std::chrono_literals;
using testing::Answer;
using testing::EchoPath;
using testing::Get;
using testing::MaskDate;
using testing::Parking;
using testing::RawClient;
using testing::TestServer;
using testing::Text;

const std::string kTooLarge =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; "
    "charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large";
const std::string kUriTooLong =
    "HTTP/1.1 414 Request URI Too Long\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Connection: close\r\n\r\n414 Request URI Too Long";

// Polls `done` every 10 ms for up to `timeout`.
template <typename Pred>
bool WaitFor(Pred done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// The server still answers a plain request on a new connection.
bool StillServes(int port) {
  RawClient c(port);
  c.Send(Get("/alive"));
  return MaskDate(c.ReadResponse()) == Answer("/alive");
}

TEST_SUITE("http") {

TEST_CASE("hostile: a header field of 64 KiB or more is served, as by Go, and the head limit holds") {
  std::promise<std::size_t> seen;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    if (req.path == "/big") seen.set_value(req.Header("X-Big").size());
    ex->Reply(Text(req.path));
  });
  {
    RawClient c(ts.port);
    c.Send(Get("/big", "X-Big: " + std::string(70000, 'a') + "\r\n"));
    CHECK(MaskDate(c.ReadResponse()) == Answer("/big"));
    CHECK(seen.get_future().get() == 70000);
  }
  {
    RawClient c(ts.port);  // past 1 MiB + 4 KiB: Go's 431
    c.Send(Get("/huge", "X-Big: " + std::string((1 << 20) + 5000, 'a') + "\r\n"));
    CHECK(c.ReadToClose() == kTooLarge);
  }
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: chunked trailers are read and dropped, huge ones too") {
  std::promise<Request> seen;
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    if (req.path != "/k") return EchoPath(std::move(req), std::move(ex));
    seen.set_value(req);
    ex->Reply(Text(req.body));
  });
  RawClient c(ts.port);
  c.Send("PUT /k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5\r\nhello\r\n0\r\nX-Trailer: " + std::string(70000, 't') + "\r\n\r\n");
  CHECK(MaskDate(c.ReadResponse()) == Answer("hello"));
  Request req = seen.get_future().get();
  CHECK(req.Header("X-Trailer").empty());
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: more header fields than the limit get 431, trailers counted too") {
  ServerOptions options;
  options.max_header_fields = 100;
  TestServer ts(EchoPath, options);
  auto fields = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += "X-" + std::to_string(i) + ": v\r\n";
    return out;
  };
  {
    RawClient c(ts.port);  // Host plus 99 more: at the limit
    c.Send(Get("/ok", fields(99)));
    CHECK(MaskDate(c.ReadResponse()) == Answer("/ok"));
  }
  {
    RawClient c(ts.port);
    c.Send(Get("/many", fields(100)));
    CHECK(c.ReadToClose() == kTooLarge);
  }
  {
    RawClient c(ts.port);
    c.Send("PUT /k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nv\r\n0\r\n" +
           fields(100) + "\r\n");
    CHECK(c.ReadToClose() == kTooLarge);
  }
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: a tiny-field head as large as the byte limit is refused") {
  TestServer ts(EchoPath);  // the defaults: 1 MiB, 1000 fields
  std::string fields;
  while (fields.size() < 1000000) fields += "X: a\r\n";  // ~166,000 fields
  RawClient c(ts.port);
  c.Send(Get("/", fields));
  CHECK(c.ReadToClose(10s) == kTooLarge);
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: a request line over 16 KiB gets 414, one at the limit is served") {
  TestServer ts(EchoPath);
  auto request_line = [](std::size_t total) {  // "GET /aaa... HTTP/1.1\r\n", `total` bytes
    return "GET /" + std::string(total - 16, 'a') + " HTTP/1.1\r\n";
  };
  REQUIRE(request_line(16384).size() == 16384);
  {
    RawClient c(ts.port);
    c.Send(request_line(16384) + "Host: x\r\n\r\n");
    CHECK(MaskDate(c.ReadResponse()) == Answer("/" + std::string(16368, 'a')));
  }
  {
    RawClient c(ts.port);
    c.Send(request_line(16385) + "Host: x\r\n\r\n");
    CHECK(c.ReadToClose() == kUriTooLong);
  }
  {
    RawClient c(ts.port);  // refused before its end arrives
    c.Send("GET /" + std::string(100000, 'a'));
    CHECK(c.ReadToClose() == kUriTooLong);
  }
  {
    RawClient c(ts.port);  // a later request on a kept-alive connection too
    c.Send(Get("/first"));
    CHECK(MaskDate(c.ReadResponse()) == Answer("/first"));
    c.Send(request_line(20000) + "Host: x\r\n\r\n");
    CHECK(c.ReadToClose() == kUriTooLong);
  }
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: a handler or answer builder that throws closes only its connection") {
  TestServer ts([](Request req, std::shared_ptr<Exchange> ex) {
    if (req.path == "/throw") throw std::runtime_error("handler bug");
    if (req.path == "/throw-later") {
      std::thread([ex] {
        ex->ReplyWith([]() -> Response { throw std::runtime_error("builder bug"); });
      }).detach();
      return;
    }
    ex->Reply(Text(req.path));
  });
  for (const char* path : {"/throw", "/throw-later"}) {
    RawClient c(ts.port);
    c.Send(Get(path));
    CHECK(c.ReadToClose() == "");
  }
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: a client that reads nothing of its answer is dropped after the write timeout") {
  ServerOptions options;
  options.write_timeout = 1s;
  // Shared with the detached writer, which may outlive this test by a sleep.
  auto gone = std::make_shared<std::atomic<bool>>(false);
  auto writes = std::make_shared<std::atomic<int>>(0);
  std::promise<void> started;
  TestServer ts(
      [&](Request req, std::shared_ptr<Exchange> ex) {
        if (req.path != "/stream") return ex->Reply(Text(req.path));
        ex->OnClientGone([gone] { *gone = true; });
        ex->StartStream(200, {});
        started.set_value();
        // Writes well below the queue limit, until the client is dropped.
        std::thread([ex, gone, writes] {
          while (!*gone && *writes < 2000) {
            ex->Write(std::string(64 * 1024, 'w'));
            ++*writes;
            std::this_thread::sleep_for(20ms);
          }
        }).detach();
      },
      options);
  RawClient c(ts.port);
  c.Send(Get("/stream"));
  started.get_future().wait();
  auto start = std::chrono::steady_clock::now();
  CHECK(WaitFor([&] { return gone->load(); }, 20s));
  CHECK(std::chrono::steady_clock::now() - start < 15s);
  CHECK(*writes < 2000);
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: Connection: close with a reader that stalls is dropped too") {
  ServerOptions options;
  options.write_timeout = 1s;
  std::atomic<bool> gone{false};
  TestServer ts(
      [&](Request, std::shared_ptr<Exchange> ex) {
        ex->OnClientGone([&] { gone = true; });
        ex->Reply(Text(std::string(64 << 20, 'r')));  // far more than the socket buffers hold
      },
      options);
  RawClient c(ts.port);
  c.Send(Get("/", "Connection: close\r\n"));
  // The answer cannot be written; the server gives up on the connection, so
  // a read now ends before the whole body (a reset, or the end of stream).
  std::this_thread::sleep_for(3s);
  std::string got = c.ReadToClose(10s);
  CHECK(got.size() < (64u << 20));
  CHECK(got.find("<open>") == std::string::npos);
}

TEST_CASE("hostile: an answer larger than 16 MiB is delivered, then the pipelined request") {
  const std::string big(20 << 20, 'b');
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    if (req.path == "/big") {
      std::thread([ex, &big] { ex->Reply(Text(big)); }).detach();
    } else {
      ex->Reply(Text(req.path));
    }
  });
  RawClient c(ts.port);
  c.Send(Get("/big") + Get("/after"));
  CHECK(MaskDate(c.ReadResponse()) == Answer(big));
  CHECK(MaskDate(c.ReadResponse()) == Answer("/after"));
}

TEST_CASE("hostile: a client that hangs up behind 64 KiB of pipelined bytes is noticed") {
  Parking parking;
  std::atomic<int> gone{0};
  TestServer ts([&](Request req, std::shared_ptr<Exchange> ex) {
    if (req.path == "/alive") return EchoPath(std::move(req), std::move(ex));
    ex->OnClientGone([&] { ++gone; });
    parking.Park(std::move(req), std::move(ex));
  });
  std::string pipelined;
  while (pipelined.size() < 100 * 1024) pipelined += Get("/pipelined");
  SUBCASE("reset") {
    RawClient c(ts.port);
    c.Send(Get("/watch"));
    auto parked = parking.Take(1);
    REQUIRE(parked.size() == 1);
    c.Send(pipelined);
    std::this_thread::sleep_for(200ms);
    CHECK(gone == 0);
    c.Close();
    CHECK(WaitFor([&] { return gone == 1; }, 10s));
  }
  SUBCASE("end of stream") {
    RawClient c(ts.port);
    c.Send(Get("/watch"));
    auto parked = parking.Take(1);
    REQUIRE(parked.size() == 1);
    c.Send(pipelined);
    c.ShutdownWrite();
    CHECK(WaitFor([&] { return gone == 1; }, 10s));
  }
  CHECK(StillServes(ts.port));
}

TEST_CASE("hostile: connections over the cap get a 503 and are closed; others go on") {
  ServerOptions options;
  options.max_connections = 3;
  TestServer ts(EchoPath, options);
  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(ts.port));
    held.back()->Send(Get("/held"));
    CHECK(MaskDate(held.back()->ReadResponse()) == Answer("/held"));
  }
  for (int i = 0; i < 5; ++i) {
    RawClient refused(ts.port);
    CHECK(refused.ReadToClose() ==
          "HTTP/1.1 503 Service Unavailable: too many open connections\r\nContent-Type: "
          "text/plain; charset=utf-8\r\nConnection: close\r\n\r\n503 Service Unavailable: too "
          "many open connections");
  }
  held[0]->Send(Get("/still"));  // the held ones are served as before
  CHECK(MaskDate(held[0]->ReadResponse()) == Answer("/still"));
  held.pop_back();
  // The closed connection's slot comes free once the server saw the close.
  CHECK(WaitFor([&] { return StillServes(ts.port); }, 5s));
}

TEST_CASE("hostile: slowly sent bodies cannot hold more than the body budget") {
  ServerOptions options;
  options.body_budget_bytes = 1000;
  TestServer ts([](Request req, std::shared_ptr<Exchange> ex) { ex->Reply(Text(req.body)); }, options);
  auto put = [](std::size_t length) {
    return "PUT /k HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
  };
  RawClient first(ts.port);
  first.Send(put(800) + std::string(600, 'a'));
  std::this_thread::sleep_for(200ms);
  RawClient second(ts.port);  // 600 + 500 arriving: over the budget
  second.Send(put(800) + std::string(500, 'b'));
  CHECK(second.ReadToClose() ==
        "HTTP/1.1 503 Service Unavailable: too many request bodies arriving\r\nContent-Type: "
        "text/plain; charset=utf-8\r\nConnection: close\r\n\r\n503 Service Unavailable: too "
        "many request bodies arriving");
  RawClient whole(ts.port);  // a request that arrives whole is served
  whole.Send(put(900) + std::string(900, 'c'));
  CHECK(MaskDate(whole.ReadResponse()) == Answer(std::string(900, 'c')));
  first.Send(std::string(200, 'a'));  // the first one completes
  CHECK(MaskDate(first.ReadResponse()) == Answer(std::string(800, 'a')));
  RawClient third(ts.port);  // and its bytes count no more
  third.Send(put(800) + std::string(700, 'd'));
  std::this_thread::sleep_for(100ms);
  third.Send(std::string(100, 'd'));
  CHECK(MaskDate(third.ReadResponse()) == Answer(std::string(800, 'd')));
}

TEST_CASE("hostile: a new connection that sends nothing is closed after the header timeout") {
  ServerOptions options;
  options.read_header_timeout = 1s;
  options.idle_timeout = 60s;
  TestServer ts(EchoPath, options);
  RawClient silent(ts.port);
  RawClient slow(ts.port);
  auto start = std::chrono::steady_clock::now();
  // A byte every 200 ms: the head is never complete within its time.
  std::string head = Get("/slow");
  bool closed = false;
  for (std::size_t i = 0; i < head.size() && !closed; ++i) {
    slow.Send(head.substr(i, 1));
    closed = !slow.Quiet(200ms);
  }
  CHECK(closed);
  CHECK(silent.WaitClosed(3s));
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

}  // TEST_SUITE
}  // namespace
}  // namespace http
