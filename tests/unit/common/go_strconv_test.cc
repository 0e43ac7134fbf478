// Go's strconv parsing of flag values; results and reasons as Go 1.19's flag package prints them.
#include "common/go_strconv.h"

#include <doctest/doctest.h>

namespace common {
namespace {

TEST_SUITE("common") {
  TEST_CASE("go strconv: booleans are strconv.ParseBool's words") {
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) CHECK(*ParseGoBool(t));
    for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) CHECK_FALSE(*ParseGoBool(f));
    for (const char* bad : {"", "yes", "tRUE", "2", " true"}) {
      CHECK(ParseGoBool(bad).status().message() == "parse error");
    }
  }

  TEST_CASE("go strconv: integers take base prefixes, leading-0 octal and '_' between digits") {
    CHECK(*ParseGoInt("0x10") == 16);
    CHECK(*ParseGoInt("0X1f") == 31);
    CHECK(*ParseGoInt("0o17") == 15);
    CHECK(*ParseGoInt("0b101") == 5);
    CHECK(*ParseGoInt("010") == 8);
    CHECK(*ParseGoInt("0_7") == 7);
    CHECK(*ParseGoInt("1_000") == 1000);
    CHECK(*ParseGoInt("0x_1") == 1);
    CHECK(*ParseGoInt("-7") == -7);
    CHECK(*ParseGoInt("+7") == 7);
    CHECK(*ParseGoInt("-9223372036854775808") == INT64_MIN);
    CHECK(*ParseGoUint("18446744073709551615") == UINT64_MAX);
    for (const char* bad : {"", "1.5", "1__0", "_1", "1_", "0x", "08", "0b2", "+-1", "--1", "- 1", "1 "}) {
      CAPTURE(bad);
      CHECK(ParseGoInt(bad).status().message() == "parse error");
    }
    CHECK(ParseGoUint("-1").status().message() == "parse error");
  }

  TEST_CASE("go strconv: integers too large are out of range, as etcdctl's --ttl reports") {
    CHECK(ParseGoInt("9223372036854775808").status().message() == "value out of range");
    CHECK(ParseGoInt("-9223372036854775809").status().message() == "value out of range");
    CHECK(ParseGoInt("99999999999999999999").status().message() == "value out of range");
    CHECK(ParseGoUint("18446744073709551616").status().message() == "value out of range");
  }
}

}  // namespace
}  // namespace common
