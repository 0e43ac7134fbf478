#include "discovery-agent/plan.h"

#include <doctest/doctest.h>

namespace agent {
namespace {

Invocation Scan(std::vector<std::string> args, Environment env = {}) {
  auto inv = ScanArgs(args, env);
  REQUIRE(inv.ok());
  return *inv;
}

TEST_SUITE("agent") {
  TEST_CASE("defaults are etcd's, the data dir kvraft's") {
    auto s = ReadSettings(Scan({}));
    REQUIRE(s.ok());
    CHECK(s->source == Source::kStatic);
    CHECK(s->name == "default");
    CHECK(s->data_dir == "default.kvraft");
    CHECK(s->initial_cluster == "default=http://localhost:2380");
    CHECK(s->initial_cluster_state == "new");
    CHECK(s->initial_cluster_token == "etcd-cluster");
    CHECK(s->proxy == "off");
  }

  TEST_CASE("the default static list names this member under each advertised URL") {
    auto s = ReadSettings(Scan({"--name", "a", "--initial-advertise-peer-urls", "http://h1:1,http://h2:2"}));
    REQUIRE(s.ok());
    CHECK(s->initial_cluster == "a=http://h1:1,a=http://h2:2");
    CHECK(s->data_dir == "a.kvraft");
  }

  TEST_CASE("the source comes from flags or ETCD_* variables") {
    CHECK(ReadSettings(Scan({"--discovery", "http://d/t"}))->source == Source::kToken);
    CHECK(ReadSettings(Scan({}, {{"ETCD_DISCOVERY_SRV", "example.com"}}))->source == Source::kSrv);
  }

  TEST_CASE("more than one source is etcd's error, never a guess") {
    const std::string want =
        "multiple discovery or bootstrap flags are set. Choose one of \"initial-cluster\", \"discovery\" or "
        "\"discovery-srv\"";
    CHECK(ReadSettings(Scan({"--discovery", "http://d/t", "--initial-cluster", "a=http://a:1"})).status().message() ==
          want);
    CHECK(ReadSettings(Scan({"--discovery-srv", "x"}, {{"ETCD_DISCOVERY", "http://d/t"}})).status().message() == want);
  }

  TEST_CASE("bad settings are refused") {
    CHECK_FALSE(ReadSettings(Scan({"--initial-cluster-state", "old"})).ok());
    CHECK_FALSE(ReadSettings(Scan({"--discovery-fallback", "maybe"})).ok());
    CHECK(ReadSettings(Scan({"--config-file", "/etc/kvraft.yml"})).status().message().find("--config-file") !=
          std::string::npos);
  }

  TEST_CASE("peer hosts of a static list, once each") {
    auto hosts = PeerHosts("a=http://kv-1:2380,b=http://kv-2:2380,b=http://kv-1:2381,c=http://[::1]:2380");
    REQUIRE(hosts.ok());
    CHECK(*hosts == std::vector<std::string>{"kv-1", "kv-2", "::1"});
    CHECK_FALSE(PeerHosts("a").ok());
    CHECK_FALSE(PeerHosts("a=ftp://x:1").ok());
  }

  TEST_CASE("entrypoint mode replaces the bootstrap flags and their variables") {
    Invocation inv = Scan({"--name", "a", "--discovery", "http://d/t", "--discovery-fallback=exit",
                           "--initial-cluster-token", "old", "--enable-v2"},
                          {{"ETCD_DISCOVERY_PROXY", "p:1"}, {"ETCD_INITIAL_CLUSTER_STATE", "new"},
                           {"ETCD_DATA_DIR", "/d"}, {"PATH", "/bin"}});
    Bootstrap b{"a=http://a:1,b=http://b:1", "new", "http://d/t", "off"};
    CHECK(ServerArgs(inv, b) ==
          std::vector<std::string>{"--initial-cluster", "a=http://a:1,b=http://b:1", "--initial-cluster-state", "new",
                                   "--initial-cluster-token", "http://d/t", "--name", "a", "--enable-v2"});
    CHECK(ServerEnv(inv) == Environment{{"ETCD_DATA_DIR", "/d"}, {"PATH", "/bin"}});
    b.proxy = "on";
    auto args = ServerArgs(inv, b);
    CHECK(std::vector<std::string>(args.begin() + 6, args.begin() + 8) == std::vector<std::string>{"--proxy", "on"});
  }

  TEST_CASE("the env file names the member and the bootstrap") {
    Settings s;
    s.name = "a";
    Bootstrap b{"a=http://a:1", "new", "tok", "off"};
    CHECK(EnvFileLines(s, b) == EnvLines{{"ETCD_NAME", "a"},
                                         {"ETCD_INITIAL_CLUSTER", "a=http://a:1"},
                                         {"ETCD_INITIAL_CLUSTER_STATE", "new"},
                                         {"ETCD_INITIAL_CLUSTER_TOKEN", "tok"}});
    b.proxy = "on";
    CHECK(EnvFileLines(s, b).back() == std::pair<std::string, std::string>{"ETCD_PROXY", "on"});
  }
}

}  // namespace
}  // namespace agent
