// Transports talking over loopback HTTP: batches both ways, failover between
// URLs, unreachable peers and their recovery, refusals, prompt teardown.
#include <dirent.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/member_id.h"
#include "common/sha256.h"
#include "server/transport/snapshot_chunk.h"
#include "server/transport/transport.h"
#include "tests/unit/temp_dir.h"

namespace transport {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kCluster = 0xcdf818194e3a8c32ULL;

// What the callbacks saw, for the test thread to wait on.
class Recorder {
 public:
  // `judge`, when set, stands for the member's own check of what it receives
  // (EtcdServer::Receive): a batch holding a message it refuses is refused.
  Callbacks MakeCallbacks(std::function<common::Status(const raft::Message&)> judge = nullptr) {
    Callbacks cb;
    cb.on_receive = [this, judge](std::vector<raft::Message> ms) {
      for (const raft::Message& m : ms) {
        common::Status verdict = judge ? judge(m) : common::Status::OK();
        if (!verdict.ok()) return verdict;
      }
      common::Status answer;
      Record([&] {
        answer = receive_answer;
        if (answer.ok()) for (auto& m : ms) received.push_back(std::move(m));
      });
      return answer;
    };
    cb.on_unreachable = [this](uint64_t peer) { Record([&] { unreachable.push_back(peer); }); };
    cb.on_snapshot_status = [this](uint64_t peer, bool failed) {
      Record([&] { snapshot_status.emplace_back(peer, failed); });
    };
    cb.on_removed = [this](uint64_t peer) { Record([&] { removed_by.push_back(peer); }); };
    return cb;
  }
  // Waits up to 3 s for `pred` (evaluated under the lock), waking on every
  // callback and every 5 ms for conditions no callback signals (stats).
  bool WaitFor(const std::function<bool()>& pred) {
    std::unique_lock<std::mutex> lock(mu);
    Clock::time_point deadline = Clock::now() + 3s;
    while (!pred()) {
      if (Clock::now() >= deadline) return false;
      cv.wait_for(lock, 5ms);
    }
    return true;
  }
  template <typename T>
  T Get(const T& field) {
    std::lock_guard<std::mutex> lock(mu);
    return field;
  }

  std::mutex mu;
  std::condition_variable cv;
  std::vector<raft::Message> received;
  std::vector<uint64_t> unreachable;
  std::vector<std::pair<uint64_t, bool>> snapshot_status;
  std::vector<uint64_t> removed_by;
  common::Status receive_answer;  // what on_receive answers

 private:
  void Record(const std::function<void()>& f) {
    std::lock_guard<std::mutex> lock(mu);
    f();
    cv.notify_all();
  }
};

// A member: a Transport serving POST /raft and /raft/snapshot on loopback,
// receiving snapshots in a directory of its own.
struct Member {
  Member(uint64_t id, uint64_t cluster = kCluster, std::function<common::Status(const raft::Message&)> judge = nullptr)
      : id(id),
        snapshot_dir(test_util::MakeTempDir("transport") + "/snap"),
        transport(std::make_unique<Transport>(id, cluster, recorder.MakeCallbacks(std::move(judge)), snapshot_dir)) {}
  ~Member() {
    if (server) server->Stop();
  }
  void Serve(int port = 0) {
    http::ServerOptions options;
    options.max_body_bytes = 64 << 20;
    Transport* t = transport.get();
    auto r = http::Server::Listen({"127.0.0.1:" + std::to_string(port)},
                                  [t](http::Request req, std::shared_ptr<http::Exchange> ex) {
                                    if (req.path == "/raft") {
                                      t->HandleRaft(req, ex);
                                    } else if (req.path == "/raft/snapshot") {
                                      t->HandleSnapshot(std::move(req), ex);
                                    } else {
                                      ex->Reply(http::Response{404, {}, ""});
                                    }
                                  },
                                  options);
    REQUIRE(r.ok());
    server = std::move(r.value());
    server->Start();
    this->port = server->Ports().at(0);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port); }
  // Makes `other` a member this one takes raft traffic from (and sends to).
  void Knows(const Member& other) {
    peers[other.id] = {other.Url()};
    transport->UpdatePeers(peers);
  }

  uint64_t id;
  std::map<uint64_t, std::vector<std::string>> peers;
  Recorder recorder;
  std::string snapshot_dir;
  std::unique_ptr<Transport> transport;
  std::unique_ptr<http::Server> server;  // after transport: stops first
  int port = 0;
};

// A loopback port with nothing listening on it (bound once, then released).
int FreePort() {
  auto r = http::Server::Listen({"127.0.0.1:0"}, [](http::Request, std::shared_ptr<http::Exchange>) {}, {});
  REQUIRE(r.ok());
  int port = r.value()->Ports().at(0);
  r.value()->Stop();
  return port;
}

// A listener that never accepts: connects succeed, requests never get answers.
struct BlackHole {
  BlackHole() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~BlackHole() { close(fd); }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port); }
  int fd = -1;
  int port = 0;
};

raft::Message App(uint64_t from, uint64_t to, uint64_t index, std::string data = "v") {
  raft::Message m;
  m.type = raft::MessageType::kApp;
  m.from = from;
  m.to = to;
  m.term = 2;
  m.log_term = 2;
  m.index = index;
  m.commit = index;
  m.entries = {{2, index + 1, raft::EntryType::kNormal, std::move(data)}};
  return m;
}

raft::Message Of(raft::MessageType type, uint64_t from, uint64_t to) {
  raft::Message m;
  m.type = type;
  m.from = from;
  m.to = to;
  m.term = 2;
  return m;
}

raft::Message Snap(uint64_t from, uint64_t to, std::string data) {
  raft::Message m = Of(raft::MessageType::kSnap, from, to);
  m.snapshot.metadata = {50, 2, {{from, to}}};
  m.snapshot.data = std::move(data);
  return m;
}

httplib::Result RawPost(int port, const std::string& cluster, const std::string& from, const std::string& body,
                        const char* path = "/raft") {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(1s);
  c.set_read_timeout(2s);
  return c.Post(path, {{"X-Etcd-Cluster-Id", cluster}, {"X-Server-From", from}}, body, "application/octet-stream");
}

// `n` bytes of deterministic binary noise.
std::string Noise(size_t n) {
  std::string s(n, '\0');
  uint64_t x = 88172645463325252ULL;
  for (char& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

// The names in `dir` (none when it does not exist).
std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.emplace_back(e->d_name);
    }
    closedir(d);
  }
  return names;
}

// A "peer" that answers every connection with the same bytes, then closes it.
struct CannedPeer {
  explicit CannedPeer(std::string answer) : answer(std::move(answer)) {
    thread = std::thread([this] {
      while (true) {
        int c = ::accept(hole.fd, nullptr, nullptr);
        if (c < 0) return;  // the listener was shut down
        char buf[4096];
        ::recv(c, buf, sizeof buf, 0);  // (part of) the request
        ::send(c, this->answer.data(), this->answer.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~CannedPeer() {
    ::shutdown(hole.fd, SHUT_RDWR);
    thread.join();
  }
  std::string Url() const { return hole.Url(); }
  BlackHole hole;
  std::string answer;
  std::thread thread;
};

// A listener whose accept queue is full: a connect to it hangs in SYN.
struct FullBacklog {
  FullBacklog() {
    REQUIRE(::listen(hole.fd, 0) == 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(hole.port));
    for (int& fd : fillers) {
      fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    std::this_thread::sleep_for(50ms);
  }
  ~FullBacklog() {
    for (int fd : fillers) close(fd);
  }
  BlackHole hole;
  int fillers[4] = {-1, -1, -1, -1};
};

TEST_SUITE("transport") {
  TEST_CASE("transport: teardown does not wait for a connect in progress") {
    FullBacklog backlog;
    Member a(1);
    a.transport->UpdatePeers({{2, {backlog.hole.Url()}}});
    a.transport->Send({App(1, 2, 1)});
    std::this_thread::sleep_for(100ms);  // the sender is inside its connect (1 s timeout)
    Clock::time_point start = Clock::now();
    a.transport.reset();
    CHECK(Clock::now() - start < 300ms);
  }

  TEST_CASE("transport: a stream of pipelined batches arrives complete and in order") {
    Member a(1), b(2);
    b.Serve();
    b.Knows(a);
    a.transport->UpdatePeers({{2, {b.Url()}}});
    constexpr uint64_t kMessages = 3000;
    for (uint64_t i = 0; i < kMessages;) {
      std::vector<raft::Message> burst;
      for (uint64_t n = 1 + i % 7; n > 0 && i < kMessages; --n, ++i) {
        burst.push_back(App(1, 2, i, std::string(1 + (i * 37) % 3000, static_cast<char>('a' + i % 26))));
      }
      a.transport->Send(std::move(burst));
      if (i % 50 == 0) std::this_thread::sleep_for(1ms);
    }
    REQUIRE(b.recorder.WaitFor([&] { return b.recorder.received.size() == kMessages; }));
    auto received = b.recorder.Get(b.recorder.received);
    for (uint64_t i = 0; i < kMessages; ++i) {
      REQUIRE(received[i].index == i);
      REQUIRE(received[i].entries.at(0).data.size() == 1 + (i * 37) % 3000);
    }
    CHECK(a.recorder.Get(a.recorder.unreachable).empty());
  }

  TEST_CASE("transport: two members exchange batches both ways") {
    Member a(1), b(2);
    a.Serve();
    b.Serve();
    // a's first URL for b is dead: the sender moves on to the next one.
    a.transport->UpdatePeers({{1, {a.Url()}}, {2, {"http://127.0.0.1:" + std::to_string(FreePort()), b.Url()}}});
    b.transport->UpdatePeers({{1, {a.Url()}}, {2, {b.Url()}}});

    std::string binary("\0\xff\x80 value", 9);
    a.transport->Send({App(1, 2, 10, binary), Of(raft::MessageType::kHeartbeat, 1, 2), App(1, 2, 11),
                       Of(raft::MessageType::kVote, 1, 3) /* unknown peer: dropped */});
    REQUIRE(b.recorder.WaitFor([&] { return b.recorder.received.size() >= 3; }));
    auto got = b.recorder.Get(b.recorder.received);
    REQUIRE(got.size() == 3);
    CHECK(got[0].type == raft::MessageType::kApp);
    CHECK(got[0].entries == App(1, 2, 10, binary).entries);
    CHECK(got[1].type == raft::MessageType::kHeartbeat);
    CHECK(got[2].index == 11);

    raft::Message resp = Of(raft::MessageType::kAppResp, 2, 1);
    resp.index = 12;
    resp.reject = true;
    resp.reject_hint = 9;
    b.transport->Send({resp});
    REQUIRE(a.recorder.WaitFor([&] { return a.recorder.received.size() == 1; }));
    raft::Message back = a.recorder.Get(a.recorder.received).at(0);
    CHECK(back.type == raft::MessageType::kAppResp);
    CHECK(back.reject);
    CHECK(back.reject_hint == 9);

    CHECK(a.transport->sent_append_count() == 2);
    CHECK(b.transport->received_append_count() == 2);
    CHECK(a.recorder.Get(a.recorder.unreachable).empty());
    // The sender records the round trip once the answer is in.
    REQUIRE(a.recorder.WaitFor([&] { return a.transport->Stats()[2].success == 2; }));
    auto stats = a.transport->Stats();
    REQUIRE(stats.count(2) == 1);
    CHECK(stats.size() == 1);  // self is not a peer
    CHECK(stats[2].success == 2);
    CHECK(stats[2].fail == 0);
    CHECK(stats[2].latency_min_ms > 0);
    CHECK(stats[2].latency_min_ms <= stats[2].latency_average_ms);
    CHECK(stats[2].latency_average_ms <= stats[2].latency_max_ms);
    CHECK(b.transport->Stats()[1].latency_min_ms == 9223372036854775808.0);  // no append sent yet
  }

  TEST_CASE("transport: a snapshot of several chunks arrives whole on /raft/snapshot and reports success") {
    Member a(1), b(2);
    b.Serve();
    b.Knows(a);
    a.transport->UpdatePeers({{2, {b.Url()}}});
    b.transport->UpdatePeers({{1, {"http://127.0.0.1:" + std::to_string(FreePort())}}});
    std::string data = Noise(20 << 20);  // three chunks, binary
    a.transport->Send({Snap(1, 2, data), App(1, 2, 50)});
    REQUIRE(b.recorder.WaitFor([&] { return b.recorder.received.size() == 2; }));
    // The snapshot travels apart from the append: either may come first.
    auto got = b.recorder.Get(b.recorder.received);
    const raft::Message& snap = got[0].type == raft::MessageType::kSnap ? got[0] : got[1];
    const raft::Message& app = got[0].type == raft::MessageType::kSnap ? got[1] : got[0];
    CHECK(snap.type == raft::MessageType::kSnap);
    CHECK(snap.from == 1);
    CHECK(snap.term == 2);
    CHECK(snap.snapshot.metadata.index == 50);
    CHECK(snap.snapshot.data == data);
    CHECK(snap.snapshot.metadata.conf_state.voters == std::vector<uint64_t>{1, 2});
    CHECK(app.type == raft::MessageType::kApp);
    REQUIRE(a.recorder.WaitFor([&] { return !a.recorder.snapshot_status.empty(); }));
    CHECK(a.recorder.Get(a.recorder.snapshot_status) == std::vector<std::pair<uint64_t, bool>>{{2, false}});
    CHECK(Files(b.snapshot_dir).empty());  // the upload's file is gone
  }

  TEST_CASE("transport: a snapshot from a sender that is not a peer is refused and nothing of it is kept") {
    Member a(1), b(2);
    b.Serve();
    a.transport->UpdatePeers({{2, {b.Url()}}});
    a.transport->Send({Snap(1, 2, Noise(1 << 20))});  // b does not know 1
    REQUIRE(a.recorder.WaitFor([&] { return !a.recorder.snapshot_status.empty(); }));
    CHECK(a.recorder.Get(a.recorder.snapshot_status) == std::vector<std::pair<uint64_t, bool>>{{2, true}});
    CHECK_FALSE(a.recorder.Get(a.recorder.unreachable).empty());
    // As on /raft: a made-up sender, a missing one and this member itself
    // get 404; another cluster 412.
    b.Knows(a);
    for (const char* from : {"3", "", "zz", "2"}) {
      auto res = RawPost(b.port, common::FormatId(kCluster), from, "\x01 anything", "/raft/snapshot");
      REQUIRE(res);
      CHECK(res->status == 404);
      CHECK(res->body == "error sender not found\n");
    }
    auto res = RawPost(b.port, common::FormatId(kCluster + 1), "1", "\x01", "/raft/snapshot");
    REQUIRE(res);
    CHECK(res->status == 412);
    b.transport->MarkRemoved(1);
    res = RawPost(b.port, common::FormatId(kCluster), "1", "\x01", "/raft/snapshot");
    REQUIRE(res);
    CHECK(res->status == 410);
    CHECK(b.recorder.Get(b.recorder.received).empty());
    CHECK(Files(b.snapshot_dir).empty());
  }

  TEST_CASE("transport: a snapshot upload the member refuses is refused, its sender told, nothing kept") {
    Member a(1);
    Member b(2, kCluster, [](const raft::Message& m) {
      return m.snapshot.data == "good" ? common::Status::OK() : common::Status::InvalidArgument("bad store");
    });
    b.Serve();
    a.transport->UpdatePeers({{2, {b.Url()}}});
    b.transport->UpdatePeers({{1, {"http://127.0.0.1:" + std::to_string(FreePort())}}});
    a.transport->Send({Snap(1, 2, Noise(9 << 20))});
    REQUIRE(a.recorder.WaitFor([&] { return a.recorder.snapshot_status.size() == 1; }));
    CHECK(a.recorder.Get(a.recorder.snapshot_status).back() == std::make_pair(uint64_t{2}, true));
    CHECK(b.recorder.Get(b.recorder.received).empty());
    CHECK(Files(b.snapshot_dir).empty());
    a.transport->Send({Snap(1, 2, "good")});
    REQUIRE(a.recorder.WaitFor([&] { return a.recorder.snapshot_status.size() == 2; }));
    CHECK(a.recorder.Get(a.recorder.snapshot_status).back() == std::make_pair(uint64_t{2}, false));
    REQUIRE(b.recorder.WaitFor([&] { return b.recorder.received.size() == 1; }));
    CHECK(b.recorder.Get(b.recorder.received).at(0).snapshot.data == "good");
  }

  TEST_CASE("transport: a MsgSnap gets the same checks and answers on /raft (as older members send it) and as an upload") {
    Member a(1);
    Member b(2, kCluster, [](const raft::Message& m) {
      bool good = m.type != raft::MessageType::kSnap || m.snapshot.data == "good";
      return good ? common::Status::OK() : common::Status::InvalidArgument("bad store");
    });
    b.Serve();
    b.Knows(a);
    const std::string cluster = common::FormatId(kCluster);
    using Answer = std::pair<int, std::string>;
    auto by_raft = [&](const std::vector<raft::Message>& ms) {
      auto res = RawPost(b.port, cluster, "1", EncodeMessages(ms));
      REQUIRE(res);
      return Answer{res->status, res->body};
    };
    uint64_t upload = 0;
    auto by_upload = [&](raft::Message m) {  // one chunk
      std::string data = m.snapshot.data;
      m.snapshot.data = std::string();
      SnapshotChunk c{++upload, data.size(), 0, common::Sha256::Of(data), EncodeMessages({m}), {}};
      auto res = RawPost(b.port, cluster, "1", EncodeSnapshotChunkHead(c) + data, "/raft/snapshot");
      REQUIRE(res);
      return Answer{res->status, res->body};
    };
    raft::Message unsorted = Snap(1, 2, "good");
    unsorted.snapshot.metadata.conf_state.voters = {2, 1};
    raft::Message ahead = Snap(1, 2, "good");
    ahead.snapshot.metadata.term = 3;  // past the message's term
    const std::vector<std::pair<raft::Message, Answer>> cases = {
        {Snap(1, 3, "good"), {412, "to field mismatch\n"}},
        {Snap(3, 2, "good"), {412, "from field mismatch\n"}},
        {unsorted, {400, "error unmarshalling raft message\n"}},
        {ahead, {400, "error unmarshalling raft message\n"}},
        {Snap(1, 2, "garbage"), {400, "error processing raft message\n"}},  // the member's own check
    };
    for (const auto& [m, want] : cases) {
      CHECK(by_raft({m}) == want);
      Answer up = by_upload(m);
      CHECK(up.first == want.first);
      // An upload refused at its first chunk says why after the same text.
      CHECK(up.second.substr(0, want.second.size() - 1) == want.second.substr(0, want.second.size() - 1));
    }
    CHECK(by_raft({App(1, 2, 1), Snap(1, 2, "garbage")}).first == 400);  // nothing of the batch
    CHECK(b.recorder.Get(b.recorder.received).empty());
    CHECK(Files(b.snapshot_dir).empty());
    CHECK(by_raft({Snap(1, 2, "good")}) == Answer{204, ""});
    CHECK(by_upload(Snap(1, 2, "good")) == Answer{204, ""});
    CHECK(b.recorder.Get(b.recorder.received).size() == 2);
  }

  TEST_CASE("transport: teardown does not wait for a snapshot upload in progress") {
    BlackHole hole;  // accepts, never answers
    Member a(1);
    a.transport->UpdatePeers({{2, {hole.Url()}}});
    a.transport->Send({Snap(1, 2, Noise(20 << 20))});
    std::this_thread::sleep_for(200ms);  // the upload waits for its first answer (30 s timeout)
    Clock::time_point start = Clock::now();
    a.transport.reset();
    CHECK(Clock::now() - start < 300ms);
    CHECK(a.recorder.Get(a.recorder.snapshot_status).empty());  // no callback during teardown
  }

  TEST_CASE("transport: a peer that is down is reported unreachable until it comes up") {
    Member a(1), b(2);
    int port = FreePort();
    a.transport->UpdatePeers({{2, {"http://127.0.0.1:" + std::to_string(port)}}});

    a.transport->Send({App(1, 2, 5), Snap(1, 2, "state")});
    // The append batch and the snapshot upload fail on threads of their own.
    REQUIRE(a.recorder.WaitFor([&] { return a.recorder.snapshot_status.size() == 1 && a.recorder.unreachable.size() == 2; }));
    CHECK(a.recorder.Get(a.recorder.snapshot_status).at(0) == std::make_pair(uint64_t{2}, true));
    auto unreachable = a.recorder.Get(a.recorder.unreachable);
    CHECK(unreachable == std::vector<uint64_t>{2, 2});
    CHECK(a.transport->Stats()[2].fail == 1);
    CHECK(a.transport->Stats()[2].success == 0);

    b.Serve(port);
    b.Knows(a);
    a.transport->Send({App(1, 2, 6)});
    REQUIRE(b.recorder.WaitFor([&] { return b.recorder.received.size() == 1; }));
    CHECK(b.recorder.Get(b.recorder.received).at(0).index == 6);
    REQUIRE(a.recorder.WaitFor([&] { return a.transport->Stats()[2].success == 1; }));
    CHECK(a.recorder.Get(a.recorder.unreachable).size() == 2);
  }

  TEST_CASE("transport: idle peers are probed, so ActiveSince tells who is reachable") {
    Member a(1), b(2);
    b.Serve();
    b.Knows(a);
    int dead = FreePort();
    a.transport->UpdatePeers({{2, {b.Url()}}, {3, {"http://127.0.0.1:" + std::to_string(dead)}}});
    CHECK(a.transport->ActiveSince(2) == Clock::time_point{});  // nothing known yet
    const Clock::time_point start = Clock::now();
    // No raft message is sent: the probes alone find b up and 3 down.
    REQUIRE(a.recorder.WaitFor([&] { return a.transport->ActiveSince(2) != Clock::time_point{}; }));
    CHECK(a.transport->ActiveSince(2) >= start);
    CHECK(a.transport->ActiveSince(3) == Clock::time_point{});
    CHECK(a.transport->ActiveSince(4) == Clock::time_point{});  // not a peer
    CHECK(b.recorder.Get(b.recorder.received).empty());         // probes carry no messages
    CHECK(a.transport->Stats()[2].success == 0);                 // nor count as appends
    b.server->Stop();  // b goes down: the next probe fails
    REQUIRE(a.recorder.WaitFor([&] { return a.transport->ActiveSince(2) == Clock::time_point{}; }));
  }

  TEST_CASE("transport: a peer that goes down is reported unreachable at once, not at the next probe") {
    Member a(1), b(2);
    b.Serve();
    b.Knows(a);
    a.transport->UpdatePeers({{2, {b.Url()}}});
    a.transport->Send({App(1, 2, 5)});
    REQUIRE(b.recorder.WaitFor([&] { return b.recorder.received.size() == 1; }));
    REQUIRE(a.recorder.WaitFor([&] { return a.transport->Stats()[2].success == 1; }));
    const Clock::time_point down = Clock::now();
    b.server->Stop();  // closes the idle connection; nothing more is sent to b
    REQUIRE(a.recorder.WaitFor([&] { return !a.recorder.unreachable.empty(); }));
    CHECK(Clock::now() - down < 500ms);  // the idle probe would come after 1 s
    CHECK(a.recorder.Get(a.recorder.unreachable) == std::vector<uint64_t>{2});
  }

  TEST_CASE("transport: a sender from another cluster is refused") {
    Member b(2), stranger(3, kCluster + 1);
    b.Serve();
    stranger.transport->UpdatePeers({{2, {b.Url()}}});
    stranger.transport->Send({App(3, 2, 1)});
    // The sender's first probe may go before the append: wait for the append.
    REQUIRE(stranger.recorder.WaitFor([&] { return stranger.transport->Stats()[2].fail == 1; }));
    CHECK_FALSE(stranger.recorder.Get(stranger.recorder.unreachable).empty());

    auto res = RawPost(b.port, common::FormatId(kCluster + 1), "3", EncodeMessages({App(3, 2, 1)}));
    REQUIRE(res);
    CHECK(res->status == 412);
    CHECK(res->body == "cluster ID mismatch\n");
    res = RawPost(b.port, "", "3", EncodeMessages({App(3, 2, 1)}));
    REQUIRE(res);
    CHECK(res->status == 412);
    CHECK(b.recorder.Get(b.recorder.received).empty());
    CHECK(b.transport->received_append_count() == 0);
  }

  TEST_CASE("transport: a removed sender is refused and learns it") {
    Member a(1), b(2);
    b.Serve();
    b.transport->MarkRemoved(1);
    a.transport->UpdatePeers({{2, {b.Url()}}});
    a.transport->Send({Of(raft::MessageType::kHeartbeat, 1, 2)});
    REQUIRE(a.recorder.WaitFor([&] { return !a.recorder.removed_by.empty(); }));
    CHECK(a.recorder.Get(a.recorder.removed_by) == std::vector<uint64_t>{2});
    REQUIRE(a.recorder.WaitFor([&] { return !a.recorder.unreachable.empty(); }));

    auto res = RawPost(b.port, common::FormatId(kCluster), "1", EncodeMessages({}));
    REQUIRE(res);
    CHECK(res->status == 410);
    // Through another member, the messages' own sender is checked too.
    Member c(3);
    b.Knows(c);
    res = RawPost(b.port, common::FormatId(kCluster), "3", EncodeMessages({Of(raft::MessageType::kVote, 1, 2)}));
    REQUIRE(res);
    CHECK(res->status == 410);
    CHECK(b.recorder.Get(b.recorder.received).empty());
  }

  TEST_CASE("transport: a body that does not decode gets 400, other methods 405") {
    Member a(1), b(2);
    b.Serve();
    b.Knows(a);
    auto res = RawPost(b.port, common::FormatId(kCluster), "1", "garbage");
    REQUIRE(res);
    CHECK(res->status == 400);
    res = RawPost(b.port, common::FormatId(kCluster), "1", EncodeMessages({App(1, 2, 1)}).substr(0, 8));
    REQUIRE(res);
    CHECK(res->status == 400);
    httplib::Client c("127.0.0.1", b.port);
    auto get = c.Get("/raft");
    REQUIRE(get);
    CHECK(get->status == 405);
    res = RawPost(b.port, common::FormatId(kCluster), "1", EncodeMessages({App(1, 2, 1)}));
    REQUIRE(res);
    CHECK(res->status == 204);
    CHECK(b.recorder.Get(b.recorder.received).size() == 1);
  }

  TEST_CASE("transport: raft traffic is taken only from current members, each message from the sender to us") {
    Member a(1), b(2), c(3);
    b.Serve();
    b.Knows(a);
    b.Knows(c);
    const std::string cluster = common::FormatId(kCluster);
    auto post = [&](const std::string& from, const std::vector<raft::Message>& ms) {
      auto res = RawPost(b.port, cluster, from, EncodeMessages(ms));
      REQUIRE(res);
      return std::make_pair(res->status, res->body);
    };
    using Answer = std::pair<int, std::string>;
    const Answer not_found{404, "error sender not found\n"};
    CHECK(post("7", {Of(raft::MessageType::kHeartbeat, 7, 2)}) == not_found);  // made up
    CHECK(post("", {Of(raft::MessageType::kHeartbeat, 1, 2)}) == not_found);   // no header
    CHECK(post("zz", {Of(raft::MessageType::kHeartbeat, 1, 2)}) == not_found);
    CHECK(post("2", {Of(raft::MessageType::kHeartbeat, 2, 2)}) == not_found);  // ourselves
    CHECK(post("7", {}) == not_found);  // a probe too
    raft::Message prop = Of(raft::MessageType::kProp, 7, 2);
    prop.term = 0;
    prop.entries = {{0, 0, raft::EntryType::kNormal, "PUT /forged"}};
    CHECK(post("7", {prop}) == not_found);
    const Answer from_mismatch{412, "from field mismatch\n"};
    CHECK(post("1", {Of(raft::MessageType::kHeartbeat, 7, 2)}) == from_mismatch);
    CHECK(post("1", {Of(raft::MessageType::kHeartbeat, 3, 2)}) == from_mismatch);  // another member
    CHECK(post("1", {prop}) == from_mismatch);
    raft::Message transfer = Of(raft::MessageType::kTransferLeader, 7, 2);
    transfer.term = 0;
    CHECK(post("1", {transfer}) == from_mismatch);  // names a transferee that is no member
    CHECK(post("1", {Of(raft::MessageType::kHeartbeat, 1, 2), Of(raft::MessageType::kHeartbeat, 1, 9)}) ==
          Answer{412, "to field mismatch\n"});
    // Malformed for raft: the term that used to wrap every member's term.
    raft::Message hb = Of(raft::MessageType::kHeartbeat, 1, 2);
    hb.term = UINT64_MAX;
    const Answer malformed{400, "error unmarshalling raft message\n"};
    CHECK(post("1", {hb}) == malformed);
    raft::Message gap = App(1, 2, 3);
    gap.entries[0].index = 9;
    CHECK(post("1", {gap}) == malformed);
    CHECK(b.recorder.Get(b.recorder.received).empty());
    CHECK(b.transport->received_append_count() == 0);

    // What members send gets through: a transfer request names a member.
    transfer.from = 3;
    CHECK(post("1", {Of(raft::MessageType::kHeartbeat, 1, 2), transfer}) == Answer{204, ""});
    CHECK(post("3", {App(3, 2, 1)}) == Answer{204, ""});
    CHECK(b.recorder.Get(b.recorder.received).size() == 3);
    CHECK(b.transport->received_append_count() == 1);

    // A member no longer listed is refused again.
    b.peers.erase(3);
    b.transport->UpdatePeers(b.peers);
    CHECK(post("3", {App(3, 2, 2)}) == not_found);
  }

  TEST_CASE("transport: what the receiver refuses or cannot queue gets 400 or 503") {
    Member a(1), b(2);
    b.Serve();
    b.Knows(a);
    {
      std::lock_guard<std::mutex> lock(b.recorder.mu);
      b.recorder.receive_answer = common::Status::InvalidArgument("bad snapshot");
    }
    auto res = RawPost(b.port, common::FormatId(kCluster), "1", EncodeMessages({Snap(1, 2, "junk")}));
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(res->body == "error processing raft message\n");
    {
      std::lock_guard<std::mutex> lock(b.recorder.mu);
      b.recorder.receive_answer = common::Status::Unavailable("busy");
    }
    res = RawPost(b.port, common::FormatId(kCluster), "1", EncodeMessages({App(1, 2, 1)}));
    REQUIRE(res);
    CHECK(res->status == 503);
    CHECK(b.transport->received_append_count() == 0);
  }

  TEST_CASE("transport: malformed answers from a peer fail the send, nothing else") {
    for (const std::string& answer : {std::string("HTTP/1.1_without_a_space\r\n\r\n"),
                                     std::string("HTTP/1.1 204\r\nContent-Length: 99999999999999999999\r\n\r\n"),
                                     std::string("HTTP/1.1 204\r\nContent-Length: -1\r\n\r\n"),
                                     std::string("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nabc"),
                                     std::string("HTTP/1.1 0\r\n\r\n"), std::string("HTTP/")}) {
      CAPTURE(answer);
      CannedPeer peer(answer);
      Member a(1);
      a.transport->UpdatePeers({{2, {peer.Url()}}});
      a.transport->Send({App(1, 2, 1)});
      REQUIRE(a.recorder.WaitFor([&] { return a.transport->Stats()[2].fail >= 1; }));
      CHECK(a.transport->Stats()[2].success == 0);
      CHECK_FALSE(a.recorder.Get(a.recorder.unreachable).empty());
    }
  }

  TEST_CASE("transport: a full queue drops new messages, and teardown does not wait for a dead peer") {
    BlackHole hole;
    Member a(1);
    int refused = FreePort();
    a.transport->UpdatePeers({{2, {hole.Url()}}, {3, {"http://127.0.0.1:" + std::to_string(refused)}}});
    std::vector<raft::Message> flood;
    for (size_t i = 0; i < 3 * kMaxQueuedMessages; ++i) flood.push_back(App(1, 2, i));
    a.transport->Send(std::move(flood));
    uint64_t queued = a.transport->sent_append_count();
    CHECK(queued >= kMaxQueuedMessages);
    CHECK(queued < 3 * kMaxQueuedMessages);
    a.transport->Send({App(1, 3, 1)});
    std::this_thread::sleep_for(200ms);  // let the POST to the black hole start waiting for its answer

    Clock::time_point start = Clock::now();
    a.transport.reset();
    CHECK(Clock::now() - start < 1s);
  }
}

}  // namespace
}  // namespace transport
