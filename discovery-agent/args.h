// The agent's command line: its own --agent-* flags, and the server flags (or
// ETCD_* variables) it needs to bootstrap, read with the rules of Go's flag
// package as the server reads them (`-f`, `--f`, `--f=v`, `--f v`; booleans take
// a value only with '='; flags end at the first non-flag or "--"). Which flags
// exist and which are boolean comes from common/server_flags.h, so a flag the
// server does not define is refused here with the server's words. Every server flag is kept as given, so the
// server sees exactly what the user typed; checking the values is its business.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace agent {

using Environment = std::map<std::string, std::string>;

struct AgentOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // --agent-timeout
  std::string env_file;   // --agent-env-file: sidecar mode when set
  std::string exec_path;  // --agent-exec: "" = kvraft beside the agent
  bool help = false;      // -h, --help
};

// One server flag as it appeared on the command line.
struct ScannedFlag {
  std::string name;
  std::string value;                // "true" for a bare boolean
  std::vector<std::string> tokens;  // the argv elements it took (1 or 2)
};

struct Invocation {
  AgentOptions agent;
  std::vector<ScannedFlag> flags;  // server flags, in order
  std::vector<std::string> rest;   // "--" and what follows the flags, as given
  Environment env;                 // the process environment

  // The effective value of server flag `name`: the last command-line value,
  // else a non-empty ETCD_<NAME>, else nullopt.
  std::optional<std::string> Value(const std::string& name) const;
  std::string ValueOr(const std::string& name, const std::string& fallback) const;
  bool Given(const std::string& name) const { return Value(name).has_value(); }

  // The server's argv (without argv[0]) minus the flags named in `drop`.
  std::vector<std::string> ServerArgs(const std::set<std::string>& drop = {}) const;
};

// Scans argv (without argv[0]). Errors use Go's flag-package wording.
common::Result<Invocation> ScanArgs(const std::vector<std::string>& args, const Environment& env);

std::string UsageText();

}  // namespace agent
