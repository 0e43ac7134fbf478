#include "discovery-agent/args.h"

#include <doctest/doctest.h>

namespace agent {
namespace {

std::vector<std::string> Args(std::initializer_list<const char*> a) { return {a.begin(), a.end()}; }

TEST_SUITE("agent") {
  TEST_CASE("agent flags are taken out, server flags are kept exactly as typed") {
    auto inv = ScanArgs(Args({"--name", "n1", "--agent-timeout=30s", "-enable-v2", "--agent-env-file", "/x/env",
                              "--data-dir=/d", "--agent-exec", "/bin/kv", "--", "extra"}),
                        {});
    REQUIRE(inv.ok());
    CHECK(inv->agent.timeout == std::chrono::seconds(30));
    CHECK(inv->agent.env_file == "/x/env");
    CHECK(inv->agent.exec_path == "/bin/kv");
    CHECK(inv->ServerArgs() == Args({"--name", "n1", "-enable-v2", "--data-dir=/d", "--", "extra"}));
    CHECK(inv->ServerArgs({"name"}) == Args({"-enable-v2", "--data-dir=/d", "--", "extra"}));
  }

  TEST_CASE("a boolean flag does not swallow the next flag") {
    auto inv = ScanArgs(Args({"--enable-v2", "--name", "n1", "--debug=false", "--initial-cluster", "n1=http://a:1"}), {});
    REQUIRE(inv.ok());
    CHECK(inv->ValueOr("enable-v2", "") == "true");
    CHECK(inv->ValueOr("name", "") == "n1");
    CHECK(inv->ValueOr("debug", "") == "false");
    CHECK(inv->ValueOr("initial-cluster", "") == "n1=http://a:1");
  }

  TEST_CASE("the last flag wins, and ETCD_* fills flags not given when not empty") {
    Environment env = {{"ETCD_NAME", "from-env"}, {"ETCD_DATA_DIR", "/env-dir"}, {"ETCD_DISCOVERY", ""}};
    auto inv = ScanArgs(Args({"--data-dir", "/a", "--data-dir", "/b"}), env);
    REQUIRE(inv.ok());
    CHECK(inv->ValueOr("data-dir", "") == "/b");
    CHECK(inv->ValueOr("name", "") == "from-env");
    CHECK_FALSE(inv->Given("discovery"));
  }

  TEST_CASE("flags end at the first non-flag argument") {
    auto inv = ScanArgs(Args({"--name", "n", "positional", "--agent-timeout", "1s"}), {});
    REQUIRE(inv.ok());
    CHECK(inv->agent.timeout == std::chrono::minutes(5));
    CHECK(inv->rest == Args({"positional", "--agent-timeout", "1s"}));
  }

  TEST_CASE("command-line errors use Go's flag wording") {
    CHECK(ScanArgs(Args({"--name"}), {}).status().message() == "flag needs an argument: -name");
    CHECK(ScanArgs(Args({"---x"}), {}).status().message() == "bad flag syntax: ---x");
    CHECK(ScanArgs(Args({"--agent-bogus", "1"}), {}).status().message() ==
          "flag provided but not defined: -agent-bogus");
    CHECK(ScanArgs(Args({"--agent-timeout", "soon"}), {}).status().message() ==
          "invalid value \"soon\" for flag -agent-timeout: time: invalid duration \"soon\"");
    CHECK(ScanArgs(Args({"--agent-timeout", "0s"}), {}).status().message() == "-agent-timeout must be positive");
    CHECK(ScanArgs(Args({"--agent-timeout=-5m"}), {}).status().message() == "-agent-timeout must be positive");
    CHECK(ScanArgs(Args({"--agent-timeout", "a\"b"}), {}).status().message() ==
          "invalid value \"a\\\"b\" for flag -agent-timeout: time: invalid duration \"a\\\"b\"");
    CHECK(ScanArgs(Args({"--agent-timeout", "5"}), {}).status().message() ==
          "invalid value \"5\" for flag -agent-timeout: time: missing unit in duration \"5\"");
  }

  TEST_CASE("a flag neither the agent nor the server defines is refused as the server refuses it") {
    auto err = [](std::initializer_list<const char*> a) { return ScanArgs(Args(a), {}).status().message(); };
    CHECK(err({"--bogus"}) == "flag provided but not defined: -bogus");
    CHECK(err({"--bogus=1"}) == "flag provided but not defined: -bogus");
    CHECK(err({"-bogus", "x"}) == "flag provided but not defined: -bogus");
    CHECK(err({"--bogus", "--name", "n"}) == "flag provided but not defined: -bogus");
    CHECK(err({"--name", "n", "-bogus"}) == "flag provided but not defined: -bogus");
    CHECK(err({"--agent-bogus"}) == "flag provided but not defined: -agent-bogus");
    // Flags that really take a value still say so; booleans need none.
    CHECK(err({"--data-dir"}) == "flag needs an argument: -data-dir");
    CHECK(err({"--agent-exec"}) == "flag needs an argument: -agent-exec");
    auto inv = ScanArgs(Args({"--enable-v2", "--v", "--name", "n"}), {});
    REQUIRE(inv.ok());
    CHECK(inv->Value("enable-v2") == "true");
    CHECK(inv->Value("name") == "n");
  }

  TEST_CASE("--agent-timeout takes Go durations, rounded up to whole milliseconds") {
    CHECK(ScanArgs(Args({"--agent-timeout", "1m30.5s"}), {})->agent.timeout == std::chrono::milliseconds(90500));
    CHECK(ScanArgs(Args({"--agent-timeout", "1.5h"}), {})->agent.timeout == std::chrono::minutes(90));
    CHECK(ScanArgs(Args({"--agent-timeout", "1ns"}), {})->agent.timeout == std::chrono::milliseconds(1));
  }

  TEST_CASE("--help stops scanning") {
    auto inv = ScanArgs(Args({"--name", "x", "-h", "--name"}), {});
    REQUIRE(inv.ok());
    CHECK(inv->agent.help);
  }
}

}  // namespace
}  // namespace agent
