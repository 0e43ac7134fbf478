// kvraftctl's entry: global flags, command lookup, help and version, then
// the command's action, with etcdctl v2's usage errors and exit codes.
// Main thread only (actions print and may install signal handlers).
#pragma once

#include <string>
#include <vector>

namespace cli {

// Runs kvraftctl with `args` (without argv[0]); returns the exit code.
int RunApp(const std::vector<std::string>& args);

}  // namespace cli
