// The flags of the server's command line (etcd 3.4's, as kvraft takes them)
// by how Go's flag package reads them: unknown, boolean (a value only as
// "-name=value") or taking a value (which may be the next argument). The
// discovery agent splits a server command line with this, without the
// server's config code; server/config/flags.cc holds the same flags with
// their meaning, and a unit test keeps the two in step.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

namespace common {

enum class ServerFlagSyntax { kUndefined, kBool, kValue };

ServerFlagSyntax ServerFlag(const std::string& name);

// Every flag name, for the test that compares them with the server's table.
std::vector<std::string> ServerFlagNames();

}  // namespace common
