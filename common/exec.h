// Running a sibling program in place of this process: how kvraft-agent starts
// the server, and how kvraftctl hands offline data-dir work (backup, snapshot
// restore) to kvraft, which owns the data dir's format.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace common {

// `name` in the directory of this program's executable, which is how the
// image and build/bin lay the binaries out; `name` alone (a PATH lookup) when
// that directory is unknown.
std::string BesideThisProgram(const std::string& name);

// execve(path, [path] + args, env); returns only on failure, with the reason.
// A path without '/' is looked up in PATH.
Status ExecProgram(const std::string& path, const std::vector<std::string>& args,
                   const std::vector<std::string>& env);

}  // namespace common
