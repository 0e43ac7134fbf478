// The command-line syntax of Go's flag package, which etcd and etcdctl use:
// "-f", "--f", "-f=v", "--f=v", "-f v"; "--" ends the flags and is dropped; the
// first argument that is not a flag ("x", "-") ends them too. The scanner only
// splits words: the caller knows its flags, decides which take a separate value
// (Go's booleans take one only with '=') and reports unknown ones. Errors carry
// Go's texts ("bad flag syntax: ---f", "flag needs an argument: -f").
// Pure value type over a borrowed argument list; not thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace common {

// One flag as written.
struct GoFlag {
  std::string name;                  // without dashes and "=value"
  std::optional<std::string> value;  // the "=value" part, or the next word once taken
  size_t first = 0;                  // args[first, end) are the words the flag took (1 or 2)
  size_t end = 0;
};

class GoFlagScanner {
 public:
  // `args` (argv without argv[0]) must outlive the scanner.
  explicit GoFlagScanner(const std::vector<std::string>& args) : args_(args) {}

  // Reads the next flag into *flag. Returns false when the flags end or on a
  // syntax error; status() tells which.
  bool Next(GoFlag* flag);

  // For a flag that needs a value and has no "=value": takes the next word,
  // whatever it looks like. Fails with "flag needs an argument: -name" at the end.
  Status TakeValue(GoFlag* flag);

  // OK, or the syntax error that stopped Next().
  const Status& status() const { return status_; }

  // What follows the flags, without a terminating "--" (Go's flag.Args()).
  std::vector<std::string> Positional() const;
  // What follows the flags as written, a terminating "--" kept: for passing
  // the arguments on to another Go-flag parser unchanged.
  std::vector<std::string> Rest() const;

 private:
  bool Read(GoFlag* flag);  // Next() without the end state

  const std::vector<std::string>& args_;
  size_t next_ = 0;               // the first word not yet read
  bool done_ = false;             // the flags have ended (or failed)
  bool ended_by_dashes_ = false;  // args_[next_ - 1] is the "--" that ended them
  Status status_;
};

// Go's error for a flag the command line names but the program does not define.
Status GoFlagNotDefined(const std::string& name);

// The environment variable etcd reads a flag from:
// "initial-cluster-token" -> "ETCD_INITIAL_CLUSTER_TOKEN".
std::string FlagToEnv(const std::string& name);

}  // namespace common
