// Command-line flags parsed the way etcdctl v2 parses them: Go's flag package
// (-f, --f, -f=v, -f v; "--" ends flags; the first non-flag argument stops
// parsing) behind urfave/cli's reordering, which moves flags written after
// positional arguments in front of them. Error texts are Go's, since users and
// scripts see them. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace cli {

enum class FlagKind { kBool, kString, kInt, kDuration, kStringSlice };  // a slice takes each repeat

struct FlagSpec {
  std::vector<std::string> names;  // names[0] is the long name values are stored under
  FlagKind kind = FlagKind::kBool;
  std::string default_value;       // as text ("" for none; "false" is implied for bools)
  std::string help_left;           // the OPTIONS column, e.g. "--ttl value"
  std::string help_right;          // the usage column, e.g. "key time-to-live in seconds (default: 0)"
};

// Parsed values, by long name; values not given hold their defaults.
class FlagValues {
 public:
  void Set(const std::string& name, const std::string& value) { values_[name] = value; }
  bool Bool(const std::string& name) const;
  std::string String(const std::string& name) const;
  int64_t Int(const std::string& name) const;                  // 0 when unset or invalid
  std::chrono::nanoseconds Duration(const std::string& name) const;
  // Every value a kStringSlice flag was given, in order (urfave/cli's StringSlice).
  std::vector<std::string> Strings(const std::string& name) const;
  void Append(const std::string& name, const std::string& value) { lists_[name].push_back(value); }
  bool Given(const std::string& name) const { return given_.count(name) > 0; }
  void MarkGiven(const std::string& name) { given_[name] = true; }

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> lists_;
  std::map<std::string, bool> given_;
};

struct ParsedFlags {
  FlagValues values;
  std::vector<std::string> args;  // the positional arguments left
  bool help = false;              // -h or --help was given
};

// urfave/cli's argument reordering (flags first, then the rest; "--" and what
// follows stay at the end). Note that it takes the word after any flag
// without "=" for a value, bools included, exactly as etcdctl does.
std::vector<std::string> ReorderArgs(const std::vector<std::string>& args);

// Go flag parsing of `args` against `specs` plus an implicit "help, h" bool.
// Errors: "flag provided but not defined: -x", "flag needs an argument: -x",
// "invalid value \"v\" for flag -x: parse error" (or ": value out of range" for
// ints; values quoted as Go's %q), "bad flag syntax: ---x",
// "invalid boolean value \"v\" for -x: parse error".
common::Result<ParsedFlags> ParseFlags(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args);

// The OPTIONS lines of a help text: "   left  right\n", lefts padded to one column.
std::string FormatFlagLines(const std::vector<FlagSpec>& specs);

}  // namespace cli
