#include "server/etcdserver/server.h"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "common/member_id.h"
#include "common/time_format.h"
#include "tests/unit/temp_dir.h"

namespace {

std::string TempDir() { return test_util::MakeTempDir("server"); }

etcdserver::ServerConfig Config(const std::string& dir, std::string name = "default") {
  etcdserver::ServerConfig c;
  c.name = std::move(name);
  c.data_dir = dir;
  c.member_id = 0x8e9e05c52164694d;
  c.cluster_id = 0xcdf818194e3a8c32;
  c.cluster_token = "etcd-cluster";
  c.peer_urls = {"http://localhost:2380"};
  c.client_urls = {"http://localhost:2379"};
  c.initial_members = {{c.member_id, c.peer_urls}};
  return c;
}

// One member over a data dir, started (and published, unless told not to
// wait for that); stopped on destruction.
struct Member {
  explicit Member(etcdserver::ServerConfig c, bool wait_published = true) {
    auto opened = storage::SqliteStorage::Open(c.data_dir);
    REQUIRE(opened.ok());
    storage = std::move(*opened);
    server = std::make_unique<etcdserver::EtcdServer>(std::move(c), store, *storage);
    status = server->Start();
    if (status.ok() && wait_published) REQUIRE(server->WaitPublished(std::chrono::seconds(5)));
  }
  etcdserver::Response Do(etcdserver::Request r) {
    auto resp = DoWithin(std::move(r), std::chrono::seconds(60));
    REQUIRE(resp.has_value());
    return *resp;
  }
  // The answer, or nothing when none came in time.
  std::optional<etcdserver::Response> DoWithin(etcdserver::Request r, std::chrono::seconds limit) {
    auto p = std::make_shared<std::promise<etcdserver::Response>>();
    auto f = p->get_future();
    server->Propose(std::move(r), [p](etcdserver::Response resp) { p->set_value(std::move(resp)); });
    if (f.wait_for(limit) != std::future_status::ready) return std::nullopt;
    return f.get();
  }
  etcdserver::Response Put(const std::string& key, const std::string& value, int64_t expire_ns = 0) {
    etcdserver::Request r;
    r.method = "PUT";
    r.path = "/1" + key;
    r.val = value;
    r.expiration_ns = expire_ns;
    return Do(r);
  }
  store::Store store;
  std::unique_ptr<storage::SqliteStorage> storage;
  std::unique_ptr<etcdserver::EtcdServer> server;
  common::Status status;
};

// A member of three whose peers never answer: it has no leader, so every
// write waits (until its timeout) and the raft loop takes peer messages.
etcdserver::ServerConfig Leaderless(const std::string& dir) {
  auto c = Config(dir);
  c.initial_members = {{c.member_id, c.peer_urls}, {2, {"http://127.0.0.1:1"}}, {3, {"http://127.0.0.1:1"}}};
  return c;
}

// Takes the answer of one HandleRaft call.
class AnswerSink : public http::Exchange {
 public:
  void Reply(http::Response response) override { status = response.status; }
  void StartStream(int, http::Headers) override {}
  void Write(std::string) override {}
  void End() override {}
  void OnClientGone(std::function<void()>) override {}
  int status = 0;
};

int PostRaft(etcdserver::EtcdServer& server, uint64_t from, const std::vector<raft::Message>& msgs) {
  http::Request req;
  req.method = "POST";
  req.path = "/raft";
  req.headers = {{"X-Etcd-Cluster-Id", common::FormatId(server.cluster_id())},
                 {"X-Server-From", common::FormatId(from)}};
  req.body = transport::EncodeMessages(msgs);
  auto sink = std::make_shared<AnswerSink>();
  server.transport().HandleRaft(req, sink);
  return sink->status;
}

// A heartbeat from member 2 at term 2.
raft::Message HeartbeatFrom2(etcdserver::EtcdServer& server) {
  raft::Message hb;
  hb.type = raft::MessageType::kHeartbeat;
  hb.from = 2;
  hb.to = server.member_id();
  hb.term = 2;
  return hb;
}

// Posts `m` from member 2 until it is not answered 503 (the loop has room
// again), for up to 10 s; the last answer.
int PostRaftUntilTaken(etcdserver::EtcdServer& server, const raft::Message& m) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 503;
  while (status == 503 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    status = PostRaft(server, 2, {m});
  }
  return status;
}

etcdserver::Request PutRequest(const std::string& key) {
  etcdserver::Request r;
  r.method = "PUT";
  r.path = "/1" + key;
  r.val = "v";
  return r;
}

// Holds the raft loop of `server` until Release (or destruction): a
// request's callback runs on the loop, and while it waits, the loop does.
class BusyLoop {
 public:
  explicit BusyLoop(etcdserver::EtcdServer& server) {
    server.Propose(PutRequest("/k"), [this](etcdserver::Response) {
      busy_.set_value();
      release_.get_future().wait();
    }, std::chrono::milliseconds(1));
    REQUIRE(busy_.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  }
  ~BusyLoop() { Release(); }
  void Release() {
    if (released_) return;
    released_ = true;
    release_.set_value();
  }

 private:
  std::promise<void> busy_, release_;
  bool released_ = false;
};

}  // namespace

TEST_SUITE("etcdserver") {
  TEST_CASE("requests beyond kMaxPendingRequests fail at once with too many requests, and are taken again once answered") {
    Member m(Leaderless(TempDir()), /*wait_published=*/false);
    REQUIRE(m.status.ok());
    std::atomic<size_t> answered{0};
    for (size_t i = 0; i < etcdserver::EtcdServer::kMaxPendingRequests; ++i) {
      m.server->Propose(PutRequest("/k"), [&](etcdserver::Response) { ++answered; }, std::chrono::milliseconds(300));
    }
    auto refused = m.DoWithin(PutRequest("/one-too-many"), std::chrono::seconds(1));
    REQUIRE(refused.has_value());
    CHECK(refused->result.error.code == 300);
    CHECK(refused->result.error.cause == "etcdserver: too many requests");
    // All time out (no leader); then there is room again.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (answered.load() < etcdserver::EtcdServer::kMaxPendingRequests && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(answered.load() == etcdserver::EtcdServer::kMaxPendingRequests);
    std::promise<etcdserver::Response> p;
    m.server->Propose(PutRequest("/again"), [&](etcdserver::Response r) { p.set_value(std::move(r)); },
                      std::chrono::milliseconds(100));
    auto again = p.get_future();
    REQUIRE(again.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(again.get().result.error.cause == "etcdserver: request timed out");
  }

  TEST_CASE("peer batches beyond kMaxQueuedPeerBatches get 503 while the raft loop is busy") {
    Member m(Leaderless(TempDir()), /*wait_published=*/false);
    REQUIRE(m.status.ok());
    BusyLoop busy(*m.server);
    raft::Message hb = HeartbeatFrom2(*m.server);
    for (size_t i = 0; i < etcdserver::EtcdServer::kMaxQueuedPeerBatches; ++i) REQUIRE(PostRaft(*m.server, 2, {hb}) == 204);
    CHECK(PostRaft(*m.server, 2, {hb}) == 503);
    busy.Release();
    CHECK(PostRaftUntilTaken(*m.server, hb) == 204);
    CHECK(m.server->term() == 2);  // the heartbeats were stepped
  }

  TEST_CASE("a peer batch over kMaxQueuedPeerBytes is queued behind others while less than that waits") {
    Member m(Leaderless(TempDir()), /*wait_published=*/false);
    REQUIRE(m.status.ok());
    BusyLoop busy(*m.server);
    raft::Message hb = HeartbeatFrom2(*m.server);
    REQUIRE(PostRaft(*m.server, 2, {hb}) == 204);
    // As large as a snapshot past the bound (a proposal: a follower without a
    // leader drops it, nothing is written).
    raft::Message big;
    big.type = raft::MessageType::kProp;
    big.from = 2;
    big.to = m.server->member_id();
    big.entries = {{0, 0, raft::EntryType::kNormal, std::string(etcdserver::EtcdServer::kMaxQueuedPeerBytes + 1, 'x')}};
    CHECK(PostRaft(*m.server, 2, {big}) == 204);
    big.entries.clear();
    CHECK(PostRaft(*m.server, 2, {hb}) == 503);  // the bound is reached now
    busy.Release();
    CHECK(PostRaftUntilTaken(*m.server, hb) == 204);
  }

  TEST_CASE("a new member records itself and its first user write gets index 4, as etcd's") {
    Member m(Config(TempDir()));
    REQUIRE(m.status.ok());
    auto members = etcdserver::ReadMembers(m.store);
    REQUIRE(members.size() == 1);
    CHECK(members[0].name == "default");
    CHECK(members[0].peer_urls == std::vector<std::string>{"http://localhost:2380"});
    CHECK(members[0].client_urls == std::vector<std::string>{"http://localhost:2379"});
    auto resp = m.Put("/a", "1");
    REQUIRE(resp.result.event.has_value());
    CHECK(resp.result.event->node.modified_index == 4);
    CHECK(resp.raft_index == 5);
    CHECK(resp.raft_term == 2);
  }

  TEST_CASE("a restarted member has every write and continues the index sequence") {
    std::string dir = TempDir();
    uint64_t last = 0;
    {
      Member m(Config(dir));
      REQUIRE(m.status.ok());
      for (int i = 0; i < 50; ++i) last = m.Put("/k" + std::to_string(i), "v" + std::to_string(i)).result.event->Index();
    }
    Member m(Config(dir));
    REQUIRE(m.status.ok());
    auto ev = m.store.Get("/1/k49", false, false);
    REQUIRE(ev.ok());
    CHECK(ev.value().node.value == std::optional<std::string>("v49"));
    CHECK(ev.value().node.modified_index == last);
    // The restart published the member again (one index), then the next write.
    CHECK(m.Put("/next", "x").result.event->Index() == last + 2);
  }

  TEST_CASE("snapshots compact the log and a restart recovers from snapshot plus tail") {
    std::string dir = TempDir();
    auto cfg = Config(dir);
    cfg.snapshot_count = 10;
    cfg.snapshot_catchup_entries = 5;
    {
      Member m(cfg);
      REQUIRE(m.status.ok());
      for (int i = 0; i < 35; ++i) m.Put("/s" + std::to_string(i), std::to_string(i));
      CHECK(*m.storage->FirstIndex() > 1);
    }
    Member m(cfg);
    REQUIRE(m.status.ok());
    for (int i = 0; i < 35; ++i) {
      auto ev = m.store.Get("/1/s" + std::to_string(i), false, false);
      REQUIRE(ev.ok());
      CHECK(ev.value().node.value == std::optional<std::string>(std::to_string(i)));
    }
  }

  TEST_CASE("a data dir of another member is refused") {
    std::string dir = TempDir();
    { Member m(Config(dir)); REQUIRE(m.status.ok()); }
    Member other(Config(dir, "infra1"));
    REQUIRE_FALSE(other.status.ok());
    CHECK(other.status.message().find("belongs to member default") != std::string::npos);
    auto cfg = Config(dir);
    cfg.peer_urls = {"http://10.0.0.1:2380"};
    Member moved(cfg);
    REQUIRE_FALSE(moved.status.ok());
    CHECK(moved.status.message().find("peer URLs") != std::string::npos);
  }

  TEST_CASE("a hard state that does not fit the log is refused with an error, not an abort") {
    std::string dir = TempDir();
    { Member m(Config(dir)); REQUIRE(m.status.ok()); }
    for (storage::HardState bad : {storage::HardState{2, 0, 1000}, storage::HardState{UINT64_MAX, 0, 1}}) {
      {
        auto disk = storage::SqliteStorage::Open(dir);
        REQUIRE(disk.ok());
        storage::Write w;
        w.hard_state = bad;
        REQUIRE((*disk)->Save({w}).ok());
      }
      Member again(Config(dir));
      REQUIRE_FALSE(again.status.ok());
      CHECK(again.status.code() == common::Code::kCorruption);
      CHECK(again.status.message().find("does not fit the log") != std::string::npos);
    }
  }

  TEST_CASE("keys expire through the replicated SYNC entry") {
    auto cfg = Config(TempDir());
    cfg.sync_interval = std::chrono::milliseconds(20);
    Member m(cfg);
    REQUIRE(m.status.ok());
    m.Put("/ttl", "v", common::UnixNowNs() + 50'000'000);
    m.Put("/keep", "v");
    for (int i = 0; i < 200 && m.store.Get("/1/ttl", false, false).ok(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK_FALSE(m.store.Get("/1/ttl", false, false).ok());
    CHECK(m.store.Get("/1/keep", false, false).ok());
  }

  TEST_CASE("proposals after Stop fail with server stopped") {
    Member m(Config(TempDir()));
    REQUIRE(m.status.ok());
    m.server->Stop();
    auto resp = m.Put("/x", "y");
    CHECK_FALSE(resp.result.event.has_value());
    CHECK(resp.result.error.code == 300);
    CHECK(resp.result.error.cause == "etcdserver: server stopped");
  }

  TEST_CASE("a lone leader stops at once: there is no one to hand leadership to") {
    auto cfg = Config(TempDir());
    cfg.election = std::chrono::milliseconds(1000);
    Member m(cfg);
    REQUIRE(m.status.ok());
    auto start = std::chrono::steady_clock::now();
    m.server->Stop();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
  }

  TEST_CASE("a member that cannot write its log fails its requests, and Stop and Propose still work") {
    std::string dir = TempDir();
    auto cfg = Config(dir);
    auto halted = std::make_shared<std::atomic<int>>(0);
    cfg.on_halted = [halted] { ++*halted; };
    Member m(cfg);
    REQUIRE(m.status.ok());
    // Another connection holds SQLite's write lock: the next Save fails once
    // the busy timeout has passed.
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open((dir + "/member/kvraft.db").c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    etcdserver::Request put;
    put.method = "PUT";
    put.path = "/1/x";
    put.val = "y";
    auto resp = m.DoWithin(put, std::chrono::seconds(20));
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    REQUIRE(resp.has_value());
    CHECK_FALSE(resp->result.event.has_value());
    CHECK(resp->result.error.cause == "etcdserver: server stopped");
    CHECK(halted->load() == 1);  // the process is told, to exit
    auto again = m.DoWithin(put, std::chrono::seconds(5));
    REQUIRE(again.has_value());
    CHECK(again->result.error.cause == "etcdserver: server stopped");
    m.server->Stop();  // joins the ended loop (and the destructor's Stop is a no-op)
  }

  TEST_CASE("every request queued when Stop comes is answered once") {
    Member m(Config(TempDir()));
    REQUIRE(m.status.ok());
    std::atomic<int> sent{0}, answered{0};
    std::atomic<bool> stopped{false};
    std::thread client([&] {
      while (!stopped.load() && sent.load() < 100000) {
        etcdserver::Request r;
        r.method = "PUT";
        r.path = "/1/k" + std::to_string(sent.load() % 100);
        r.val = "v";
        ++sent;
        m.server->Propose(std::move(r), [&](etcdserver::Response) { ++answered; });
      }
    });
    while (sent.load() < 500) std::this_thread::yield();
    m.server->Stop();
    stopped = true;
    client.join();
    CHECK(answered.load() == sent.load());
  }
}
