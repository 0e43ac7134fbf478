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

  TEST_CASE("flag errors carry Go's texts") {
    CHECK(ParseFlags(SetFlags(), {"--nope"}).status().message() == "flag provided but not defined: -nope");
    CHECK(ParseFlags(SetFlags(), {"--ttl"}).status().message() == "flag needs an argument: -ttl");
    CHECK(ParseFlags(SetFlags(), {"--ttl", "x"}).status().message() == "invalid value \"x\" for flag -ttl: parse error");
    CHECK(ParseFlags(SetFlags(), {"---ttl"}).status().message() == "bad flag syntax: ---ttl");
  }

  TEST_CASE("Go numbers and durations") {
    CHECK(*ParseGoInt("0x10") == 16);
    CHECK(*ParseGoInt("010") == 8);
    CHECK(*ParseGoInt("-7") == -7);
    CHECK_FALSE(ParseGoInt("1.5").ok());
    CHECK(ParseGoDuration("2s")->count() == 2000000000);
    CHECK(ParseGoDuration("1m30s")->count() == 90000000000);
    CHECK(ParseGoDuration("1.5ms")->count() == 1500000);
    CHECK(ParseGoDuration("0")->count() == 0);
    CHECK_FALSE(ParseGoDuration("1").ok());
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
