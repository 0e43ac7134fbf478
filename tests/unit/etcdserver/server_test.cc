#include "server/etcdserver/server.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <future>
#include <thread>

#include "common/time_format.h"

namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/kvraft-server-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

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

// One member over a data dir, started; stopped on destruction.
struct Member {
  explicit Member(etcdserver::ServerConfig c) {
    auto opened = storage::SqliteStorage::Open(c.data_dir);
    REQUIRE(opened.ok());
    storage = std::move(*opened);
    server = std::make_unique<etcdserver::EtcdServer>(std::move(c), store, *storage);
    status = server->Start();
    if (status.ok()) REQUIRE(server->WaitPublished(std::chrono::seconds(5)));
  }
  etcdserver::Response Do(etcdserver::Request r) {
    std::promise<etcdserver::Response> p;
    auto f = p.get_future();
    server->Propose(std::move(r), [&p](etcdserver::Response resp) { p.set_value(std::move(resp)); });
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

}  // namespace

TEST_SUITE("etcdserver") {
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
}
