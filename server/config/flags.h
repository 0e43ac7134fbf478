// Private to config/: the flag table and a parser with Go's flag-package rules
// (`-flag`, `--flag`, `--flag=value`, `--flag value`; booleans take a value
// only with '='; parsing stops at the first non-flag argument or "--").
// Pure functions; thread-safe.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/config/config.h"

namespace config::internal {

// How a value is read; also decides how YAML values are checked.
enum class FlagKind { kString, kBool, kUint, kInt, kUrls, kList, kIgnored };

struct FlagSpec {
  std::string name;
  FlagKind kind;
  // Stores `value` in cfg. On failure returns the reason Go's flag package
  // prints after the flag name ("parse error", an URL error, "invalid value").
  std::function<common::Status(Config&, const std::string& value)> set;
};

// Whether the command line gives the flag a value only with '='.
inline bool IsBoolean(FlagKind kind) { return kind == FlagKind::kBool || kind == FlagKind::kIgnored; }

// Every flag kvraft accepts, including etcd's ignored legacy flags.
const std::vector<FlagSpec>& Flags();
const FlagSpec* FindFlag(const std::string& name);

struct ParsedArgs {
  bool help = false;                     // -h or --help: parsing stopped there
  std::set<std::string> set_flags;       // names given on the command line
  std::vector<std::string> positional;   // arguments after the flags
};

// Applies the command-line flags to *cfg. Errors have Go's flag-package wording.
common::Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args, Config* cfg);

// Fills flags not given on the command line from ETCD_<NAME> variables and
// records them in *set_flags; adds etcd's notices to cfg->notices.
common::Status ApplyEnv(const std::map<std::string, std::string>& env,
                        std::set<std::string>* set_flags, Config* cfg);

}  // namespace config::internal
