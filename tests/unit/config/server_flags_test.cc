// common/server_flags.h, which the discovery agent reads server command
// lines with, must list exactly the server's flags, each read the same way.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "common/server_flags.h"
#include "server/config/flags.h"

namespace config {
namespace {

TEST_SUITE("config") {
  TEST_CASE("common's list of server flags matches the server's flag table") {
    std::set<std::string> table;
    for (const internal::FlagSpec& f : internal::Flags()) {
      CAPTURE(f.name);
      table.insert(f.name);
      common::ServerFlagSyntax want =
          internal::IsBoolean(f.kind) ? common::ServerFlagSyntax::kBool : common::ServerFlagSyntax::kValue;
      CHECK(common::ServerFlag(f.name) == want);
    }
    for (const std::string& name : common::ServerFlagNames()) {
      CAPTURE(name);
      CHECK(table.count(name) == 1);
    }
    CHECK(common::ServerFlag("bogus") == common::ServerFlagSyntax::kUndefined);
  }
}

}  // namespace
}  // namespace config
