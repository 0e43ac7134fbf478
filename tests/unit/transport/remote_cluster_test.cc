// Asking a running cluster for its members: the answer is parsed, and an
// answer no member would give (wrong shape, or too large) is refused
// without holding it all in memory.
#include "server/transport/remote_cluster.h"

#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

namespace transport {
namespace {

using namespace std::chrono_literals;

// Serves GET /members with `body` and a cluster id header on loopback.
struct FakeMember {
  explicit FakeMember(std::string body) {
    server.Get("/members", [body](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Etcd-Cluster-Id", "cdf818194e3a8c32");
      res.set_content(body, "application/json");
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~FakeMember() {
    server.stop();
    thread.join();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port); }
  httplib::Server server;
  int port = 0;
  std::thread thread;
};

}  // namespace

TEST_SUITE("transport") {
  TEST_CASE("remote cluster: a member list is parsed; a huge or malformed answer is refused") {
    FakeMember good(R"([{"id":10276657743932975437,"peerURLs":["http://127.0.0.1:2380"],"name":"infra0"}])");
    auto rc = FetchRemoteCluster({good.Url()}, 2s);
    REQUIRE(rc.ok());
    CHECK(rc->cluster_id == 0xcdf818194e3a8c32ULL);
    REQUIRE(rc->members.size() == 1);
    CHECK(rc->members[0].id == 0x8e9e05c52164694dULL);
    CHECK(rc->members[0].name == "infra0");

    FakeMember huge("[" + std::string(5 << 20, ' ') + "]");
    auto big = FetchRemoteCluster({huge.Url()}, 2s);
    REQUIRE_FALSE(big.ok());
    CHECK(big.status().message().find("larger than") != std::string::npos);

    FakeMember junk("{\"not\":\"a list\"}");
    CHECK_FALSE(FetchRemoteCluster({junk.Url()}, 2s).ok());
  }
}

}  // namespace transport
