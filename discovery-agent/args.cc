// Command-line scanning for the agent; see args.h.
#include "discovery-agent/args.h"

#include "common/go_flag.h"
#include "common/go_quote.h"
#include "common/server_flags.h"
#include "common/time_format.h"

namespace agent {
namespace {

using common::Result;
using common::Status;

// The agent's own flags; each takes a value.
bool IsAgentFlag(const std::string& name) {
  return name == "agent-timeout" || name == "agent-env-file" || name == "agent-exec";
}

Status SetAgentFlag(const std::string& name, const std::string& value, AgentOptions* out) {
  if (name == "agent-timeout") {
    Result<std::chrono::nanoseconds> d = common::ParseGoDuration(value);
    if (!d.ok()) {
      return Status::InvalidArgument("invalid value " + common::GoQuote(value) + " for flag -" + name + ": " +
                                     d.status().message());
    }
    auto timeout = std::chrono::ceil<std::chrono::milliseconds>(*d);  // so "1ns" still waits
    if (timeout.count() <= 0) return Status::InvalidArgument("-agent-timeout must be positive");
    out->timeout = timeout;
  } else if (name == "agent-env-file") {
    out->env_file = value;
  } else {  // agent-exec, the last of IsAgentFlag's
    out->exec_path = value;
  }
  return Status::OK();
}

}  // namespace

std::optional<std::string> Invocation::Value(const std::string& name) const {
  for (auto it = flags.rbegin(); it != flags.rend(); ++it) {
    if (it->name == name) return it->value;
  }
  auto e = env.find(common::FlagToEnv(name));
  if (e != env.end() && !e->second.empty()) return e->second;
  return std::nullopt;
}

std::string Invocation::ValueOr(const std::string& name, const std::string& fallback) const {
  return Value(name).value_or(fallback);
}

std::vector<std::string> Invocation::ServerArgs(const std::set<std::string>& drop) const {
  std::vector<std::string> out;
  for (const ScannedFlag& f : flags) {
    if (!drop.count(f.name)) out.insert(out.end(), f.tokens.begin(), f.tokens.end());
  }
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

Result<Invocation> ScanArgs(const std::vector<std::string>& args, const Environment& env) {
  Invocation inv;
  inv.env = env;
  common::GoFlagScanner scan(args);
  for (common::GoFlag arg; scan.Next(&arg);) {
    if (arg.name == "help" || arg.name == "h") {
      inv.agent.help = true;
      return inv;
    }
    // Go's flag package rejects an unknown flag before looking for its value.
    const bool agent_flag = IsAgentFlag(arg.name);
    const common::ServerFlagSyntax syntax = agent_flag ? common::ServerFlagSyntax::kValue : common::ServerFlag(arg.name);
    if (syntax == common::ServerFlagSyntax::kUndefined) return common::GoFlagNotDefined(arg.name);
    if (syntax == common::ServerFlagSyntax::kValue) {
      Status st = scan.TakeValue(&arg);
      if (!st.ok()) return st;
    }
    if (agent_flag) {
      Status st = SetAgentFlag(arg.name, *arg.value, &inv.agent);
      if (!st.ok()) return st;
      continue;
    }
    std::vector<std::string> words(args.begin() + static_cast<std::ptrdiff_t>(arg.first),
                                   args.begin() + static_cast<std::ptrdiff_t>(arg.end));
    inv.flags.push_back({arg.name, arg.value.value_or("true"), std::move(words)});
  }
  if (!scan.status().ok()) return scan.status();
  inv.rest = scan.Rest();  // "--" kept, so the server reads what follows as the user wrote it
  return inv;
}

std::string UsageText() {
  return R"(Usage:
  kvraft-agent [AGENT FLAGS] [SERVER FLAGS...]
  kvraft-agent discovery-service --listen-addr HOST:PORT --endpoints URLS [--public-url URL] [--prefix /_etcd/registry]

Finds the peers of a cluster being born and starts kvraft with them. The server
flags (or ETCD_* variables) are those of kvraft; the bootstrap source is one of
--discovery URL, --discovery-srv DOMAIN (with --discovery-srv-name), or
--initial-cluster (a static list whose hosts must resolve).

Agent flags:
  --agent-timeout DURATION  how long to wait for the peers (Go duration, default 5m)
  --agent-env-file FILE     sidecar mode: write ETCD_NAME, ETCD_INITIAL_CLUSTER,
                            ETCD_INITIAL_CLUSTER_STATE and ETCD_INITIAL_CLUSTER_TOKEN
                            to FILE and exit, instead of exec'ing the server
  --agent-exec PATH         the server to exec (default: kvraft beside this binary)
  -h, --help                this text

If <data-dir>/member exists, discovery is skipped: the server is started with
the flags as given (sidecar mode writes nothing). On failure the agent exits
non-zero with the reason.
)";
}

}  // namespace agent
