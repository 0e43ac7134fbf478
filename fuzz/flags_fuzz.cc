// Command-line flags and ETCD_* variables (server/config/flags.cc,
// common/go_flag.cc) through config::Load, and Go's flag syntax on its own.
// Input: one argument a line up to an empty line, then NAME=value lines for
// the environment; a --config-file reads the rest of the input.
#include <map>
#include <string>
#include <vector>

#include "common/go_flag.h"
#include "fuzz/input.h"
#include "server/config/config.h"

namespace {

// Reads every flag, taking a value for those written without one, as a
// program with only value flags would.
void Scan(const std::vector<std::string>& args) {
  common::GoFlagScanner scanner(args);
  common::GoFlag flag;
  size_t flags = 0;
  while (scanner.Next(&flag)) {
    FUZZ_CHECK(flag.first < flag.end && flag.end <= args.size());
    if (!flag.value && !scanner.TakeValue(&flag).ok()) break;
    FUZZ_CHECK(++flags <= args.size());
  }
  FUZZ_CHECK(scanner.Positional().size() <= args.size() && scanner.Rest().size() <= args.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const std::vector<std::string> args = in.Block();
  std::map<std::string, std::string> env;
  for (const std::string& line : in.Block()) {
    const size_t eq = line.find('=');
    env[line.substr(0, eq)] = eq == std::string::npos ? "" : line.substr(eq + 1);
  }
  const std::string file = in.Rest();
  const auto read_file = [&](const std::string&) -> common::Result<std::string> { return file; };

  Scan(args);
  auto cfg = config::Load(args, env, read_file, std::string("node1.example.com"));
  if (cfg.ok()) FUZZ_CHECK(config::Validate(*cfg).ok());
  // A command line that fails on its syntax alone fails Load too.
  if (config::IsUsageError(args)) FUZZ_CHECK(!cfg.ok());
  return 0;
}
