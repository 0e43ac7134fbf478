#include "cli/flags.h"

#include <doctest/doctest.h>

namespace cli {

TEST_SUITE("cli") {
  static std::vector<FlagSpec> SetFlags() {
    return {{{"ttl"}, FlagKind::kInt, "0", "--ttl value", "ttl"},
            {{"recursive", "r"}, FlagKind::kBool, "", "--recursive, -r", "rec"},
            {{"with-value"}, FlagKind::kString, "", "--with-value value", "prev"}};
  }

  TEST_CASE("flags written after positional arguments are moved in front, as urfave/cli does") {
    CHECK(ReorderArgs({"/dir", "--ttl", "100"}) == std::vector<std::string>{"--ttl", "100", "/dir"});
    CHECK(ReorderArgs({"--", "/k", "-5"}) == std::vector<std::string>{"--", "/k", "-5"});
    CHECK(ReorderArgs({"/k", "-r", "--ttl=3"}) == std::vector<std::string>{"-r", "--ttl=3", "/k"});
  }

  TEST_CASE("Go flag syntax: -f, --f, -f=v, -f v, '--' ends flags, the first word stops parsing") {
    auto p = ParseFlags(SetFlags(), {"-ttl=5", "--r", "--with-value", "-x", "/k", "--ttl", "9"});
    REQUIRE(p.ok());
    CHECK(p->values.Int("ttl") == 5);
    CHECK(p->values.Bool("recursive"));
    CHECK(p->values.String("with-value") == "-x");
    CHECK(p->args == std::vector<std::string>{"/k", "--ttl", "9"});
    auto dashes = ParseFlags(SetFlags(), {"--", "-5"});
    REQUIRE(dashes.ok());
    CHECK(dashes->args == std::vector<std::string>{"-5"});
    CHECK(ParseFlags(SetFlags(), {"--help"})->help);
  }

  TEST_CASE("a string slice flag keeps every value, in order, commas and all (urfave's StringSlice)") {
    std::vector<FlagSpec> specs = {{{"roles"}, FlagKind::kStringSlice, "", "--roles value", "roles"}};
    auto p = ParseFlags(specs, {"--roles", "a,b", "-roles=c"});
    REQUIRE(p.ok());
    CHECK(p->values.Strings("roles") == std::vector<std::string>{"a,b", "c"});
    CHECK(p->values.Given("roles"));
    auto none = ParseFlags(specs, {});
    REQUIRE(none.ok());
    CHECK(none->values.Strings("roles").empty());
  }

  TEST_CASE("flag errors carry Go's texts") {
    CHECK(ParseFlags(SetFlags(), {"--nope"}).status().message() == "flag provided but not defined: -nope");
    CHECK(ParseFlags(SetFlags(), {"--ttl"}).status().message() == "flag needs an argument: -ttl");
    CHECK(ParseFlags(SetFlags(), {"--ttl", "x"}).status().message() == "invalid value \"x\" for flag -ttl: parse error");
    CHECK(ParseFlags(SetFlags(), {"---ttl"}).status().message() == "bad flag syntax: ---ttl");
  }

  static std::vector<FlagSpec> GlobalFlags() {
    return {{{"timeout"}, FlagKind::kDuration, "2s", "--timeout value", "timeout"},
            {{"debug"}, FlagKind::kBool, "", "--debug", "debug"}};
  }

  TEST_CASE("values are read as Go reads them") {
    auto p = ParseFlags(SetFlags(), {"--ttl", "0x10"});
    REQUIRE(p.ok());
    CHECK(p->values.Int("ttl") == 16);
    auto g = ParseFlags(GlobalFlags(), {"--timeout", "1m30s", "--debug=T"});
    REQUIRE(g.ok());
    CHECK(g->values.Duration("timeout").count() == 90000000000);
    CHECK(g->values.Bool("debug"));
    CHECK(ParseFlags(GlobalFlags(), {})->values.Duration("timeout").count() == 2000000000);
  }

  static std::string Error(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args) {
    return ParseFlags(specs, args).status().message();
  }

  // Texts as ETCDCTL_API=2 etcdctl 3.4.23 prints them after "Incorrect Usage".
  TEST_CASE("invalid values are quoted as Go's %q and give Go's reason") {
    CHECK(Error(GlobalFlags(), {"--timeout", "a\"b"}) == "invalid value \"a\\\"b\" for flag -timeout: parse error");
    CHECK(Error(GlobalFlags(), {"--timeout", "x\\y"}) == "invalid value \"x\\\\y\" for flag -timeout: parse error");
    CHECK(Error(GlobalFlags(), {"--timeout", "5"}) == "invalid value \"5\" for flag -timeout: parse error");
    CHECK(Error(GlobalFlags(), {"--debug=a\"b"}) == "invalid boolean value \"a\\\"b\" for -debug: parse error");
    CHECK(Error(SetFlags(), {"--ttl", "a\"b"}) == "invalid value \"a\\\"b\" for flag -ttl: parse error");
    CHECK(Error(SetFlags(), {"--ttl", "1__0"}) == "invalid value \"1__0\" for flag -ttl: parse error");
    CHECK(Error(SetFlags(), {"--ttl", "99999999999999999999"}) ==
          "invalid value \"99999999999999999999\" for flag -ttl: value out of range");
  }

  TEST_CASE("help option lines are padded to one column") {
    CHECK(FormatFlagLines(SetFlags()) ==
          "   --ttl value         ttl\n   --recursive, -r     rec\n   --with-value value  prev\n");
  }
}

}  // namespace cli

#include "cli/session.h"

namespace cli {

TEST_SUITE("cli") {
  TEST_CASE("key URLs are cleaned and escaped as Go's client does; query keys come sorted") {
    CHECK(KeysTarget("a b/../c/", {{"sorted", "false"}, {"quorum", "true"}}) == "/v2/keys/c/?quorum=true&sorted=false");
    CHECK(KeysTarget("/x!y", {}) == "/v2/keys/x%21y");
    CHECK(EncodeForm({{"value", "a b&c"}, {"ttl", "5"}}) == "ttl=5&value=a+b%26c");
  }
}

}  // namespace cli
