// kvraft-agent: the discovery agent (and, as a subcommand, a self-hosted
// discovery service). Wiring only.
#include <string>
#include <vector>

#include "discovery-agent/agent.h"
#include "discovery-agent/discovery_service.h"

extern char** environ;

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "discovery-service") {
    return agent::RunDiscoveryService(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  agent::Environment env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return agent::RunAgent(args, env);
}
