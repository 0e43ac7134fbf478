// What a kvraftctl command is: its name, help texts, flags and action, plus
// the global options every action sees and etcdctl v2's exit codes.
// Plain data; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "cli/flags.h"

namespace cli {

inline constexpr char kProgramName[] = "kvraftctl";

// etcdctl v2's exit codes (scripts test them).
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitBadArgs = 1;
inline constexpr int kExitBadConnection = 2;
inline constexpr int kExitBadAuth = 3;
inline constexpr int kExitServerError = 4;
inline constexpr int kExitClusterNotHealthy = 5;

struct GlobalOptions {
  bool debug = false;
  bool no_sync = false;
  std::string output = "simple";  // simple | extended | json (others print an error at output time)
  std::string discovery_srv;
  bool insecure_discovery = false;
  std::string endpoints;          // the flags' raw text; see EndpointsFromFlags
  std::string endpoint;
  std::string peers;
  std::string cert_file, key_file, ca_file;
  std::string username;
  std::chrono::nanoseconds timeout{std::chrono::seconds(2)};        // per request (header timeout)
  std::chrono::nanoseconds total_timeout{std::chrono::seconds(5)};  // per command, except watches
};

struct CommandContext {
  const GlobalOptions& global;
  FlagValues flags;
  std::vector<std::string> args;
};

using Action = int (*)(CommandContext& ctx);  // returns the exit code

struct Command {
  std::string name;
  std::string usage;        // one line, shown in lists and after the name
  std::string args_usage;   // e.g. "<key> <value>"
  std::string description;  // optional paragraph
  std::vector<FlagSpec> flags;
  Action action = nullptr;
  std::vector<Command> subcommands;
};

// Every top-level command, in help order.
const std::vector<Command>& Commands();
// The global flags, in help order.
const std::vector<FlagSpec>& GlobalFlags();

}  // namespace cli
