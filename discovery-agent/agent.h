// The agent's main flow: scan the command line, skip discovery for a member
// whose data dir exists, find the bootstrap, then exec the server (entrypoint
// mode) or write the env file (sidecar mode). Runs on the main thread only:
// it may replace the process with the server.
#pragma once

#include <string>
#include <vector>

#include "discovery-agent/args.h"

namespace agent {

// Returns the exit code (0 done, 1 failed, 2 bad command line); on success
// in entrypoint mode it does not return.
int RunAgent(const std::vector<std::string>& args, const Environment& env);

}  // namespace agent
