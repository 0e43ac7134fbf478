// Go flag-package word splitting: forms and texts as Go's flag package (etcd 3.4.23) has them.
#include "common/go_flag.h"

#include <doctest/doctest.h>

#include <algorithm>

namespace common {
namespace {

using Args = std::vector<std::string>;

// Every flag as "name" or "name=value", taking a separate value for names in
// `with_value`, as a caller with a flag table would.
std::vector<std::string> Scan(GoFlagScanner* scan, const std::vector<std::string>& with_value = {}) {
  std::vector<std::string> out;
  for (GoFlag f; scan->Next(&f);) {
    bool takes = std::find(with_value.begin(), with_value.end(), f.name) != with_value.end();
    if (takes && !scan->TakeValue(&f).ok()) break;
    out.push_back(f.value ? f.name + "=" + *f.value : f.name);
  }
  return out;
}

}  // namespace

TEST_SUITE("common") {
  TEST_CASE("go flags: one or two dashes, inline values split at the first '='") {
    Args args = {"-a", "--b", "-c=1", "--d=x=y", "--e=", "-f", "v"};
    GoFlagScanner scan(args);
    CHECK(Scan(&scan, {"f"}) == Args{"a", "b", "c=1", "d=x=y", "e=", "f=v"});
    CHECK(scan.status().ok());
    CHECK(scan.Positional().empty());
  }

  TEST_CASE("go flags: a flag's words and positions") {
    Args args = {"--x=1", "-y", "2", "--z"};
    GoFlagScanner scan(args);
    GoFlag f;
    REQUIRE(scan.Next(&f));
    CHECK(f.name == "x");
    CHECK(*f.value == "1");
    CHECK((f.first == 0 && f.end == 1));
    CHECK(scan.TakeValue(&f).ok());  // an inline value is kept, nothing is taken
    CHECK(f.end == 1);
    REQUIRE(scan.Next(&f));
    CHECK(f.name == "y");
    CHECK_FALSE(f.value.has_value());  // not carried over from -x
    REQUIRE(scan.TakeValue(&f).ok());
    CHECK(*f.value == "2");
    CHECK((f.first == 1 && f.end == 3));
    REQUIRE(scan.Next(&f));
    CHECK(f.name == "z");
    CHECK_FALSE(f.value.has_value());
    CHECK_FALSE(scan.Next(&f));
  }

  TEST_CASE("go flags: a separate value is taken whatever it looks like") {
    Args args = {"--name", "--x", "--", "-"};
    GoFlagScanner scan(args);
    CHECK(Scan(&scan, {"name"}) == Args{"name=--x"});
    CHECK(scan.Positional() == Args{"-"});
  }

  TEST_CASE("go flags: the first non-flag word ends the flags, '-' included") {
    for (const Args& args : {Args{"-a", "pos", "-b"}, Args{"-a", "-", "-b"}, Args{"-a", "", "-b"}}) {
      GoFlagScanner scan(args);
      CHECK(Scan(&scan) == Args{"a"});
      CHECK(scan.status().ok());
      CHECK(scan.Positional() == Args(args.begin() + 1, args.end()));
      CHECK(scan.Rest() == scan.Positional());
    }
  }

  TEST_CASE("go flags: '--' ends the flags; Positional drops it, Rest keeps it") {
    Args args = {"-a", "--", "-b", "--"};
    GoFlagScanner scan(args);
    CHECK(Scan(&scan) == Args{"a"});
    CHECK(scan.status().ok());
    CHECK(scan.Positional() == Args{"-b", "--"});
    CHECK(scan.Rest() == Args{"--", "-b", "--"});
    GoFlag f;
    CHECK_FALSE(scan.Next(&f));  // stays ended: "-b" is not read as a flag
    CHECK(scan.Positional() == Args{"-b", "--"});
  }

  TEST_CASE("go flags: no arguments") {
    Args args;
    GoFlagScanner scan(args);
    GoFlag f;
    CHECK_FALSE(scan.Next(&f));
    CHECK(scan.status().ok());
    CHECK(scan.Positional().empty());
    CHECK(scan.Rest().empty());
  }

  TEST_CASE("go flags: bad syntax has Go's text and stops the scan") {
    for (const char* bad : {"---x", "-=x", "--=x", "---", "-=", "--=", "----"}) {
      Args args = {"-a", bad, "-b"};
      GoFlagScanner scan(args);
      CHECK(Scan(&scan) == Args{"a"});
      CHECK(scan.status().message() == std::string("bad flag syntax: ") + bad);
      GoFlag f;
      CHECK_FALSE(scan.Next(&f));
    }
  }

  TEST_CASE("go flags: a missing value has Go's text") {
    Args args = {"-a", "--ttl"};
    GoFlagScanner scan(args);
    GoFlag f;
    REQUIRE(scan.Next(&f));
    REQUIRE(scan.Next(&f));
    Status st = scan.TakeValue(&f);
    CHECK(st.message() == "flag needs an argument: -ttl");
    CHECK_FALSE(f.value.has_value());
  }

  TEST_CASE("go flags: an undefined flag has Go's text") {
    CHECK(GoFlagNotDefined("nope").message() == "flag provided but not defined: -nope");
  }

  TEST_CASE("go flags: etcd reads a flag from ETCD_ and its name in upper case, '-' as '_'") {
    CHECK(FlagToEnv("initial-cluster-token") == "ETCD_INITIAL_CLUSTER_TOKEN");
    CHECK(FlagToEnv("name") == "ETCD_NAME");
  }
}

}  // namespace common
