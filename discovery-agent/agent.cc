// The agent's main flow; see agent.h.
#include "discovery-agent/agent.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "common/exec.h"
#include "common/log.h"
#include "discovery-agent/env_file.h"
#include "discovery-agent/plan.h"
#include "discovery-agent/sources.h"

namespace agent {
namespace {

using common::Result;
using common::Status;

int Fail(const std::string& why) {
  std::cerr << "kvraft-agent: " << why << std::endl;
  return 1;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Replaces this process with the server; returns only on failure.
int ExecServer(const std::string& path, const std::vector<std::string>& args, const Environment& env) {
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::string line = path;
  for (const std::string& a : args) line += " " + a;
  KV_LOG(kInfo, "agent") << "exec " << line;
  return Fail(common::ExecProgram(path, args, env_strings).message());
}

Result<Bootstrap> FindBootstrap(const Settings& s, std::chrono::milliseconds timeout) {
  Deadline deadline = std::chrono::steady_clock::now() + timeout;
  switch (s.source) {
    case Source::kStatic: return WaitForStaticPeers(s, deadline);
    case Source::kToken: return JoinDiscoveryToken(s, deadline);
    case Source::kSrv: return LookupSrvCluster(s, deadline);
  }
  return Status::Internal("unknown bootstrap source");
}

}  // namespace

int RunAgent(const std::vector<std::string>& args, const Environment& env) {
  Result<Invocation> inv = ScanArgs(args, env);
  if (!inv.ok()) {
    std::cerr << "kvraft-agent: " << inv.status().message() << " (see 'kvraft-agent --help')" << std::endl;
    return 2;
  }
  if (inv->agent.help) {
    std::cout << UsageText();
    return 0;
  }
  const AgentOptions& opt = inv->agent;
  const std::string server = opt.exec_path.empty() ? common::BesideThisProgram("kvraft") : opt.exec_path;
  Result<Settings> settings = ReadSettings(*inv);
  if (!settings.ok()) return Fail(settings.status().message());
  const Settings& s = *settings;

  // The server ignores the bootstrap flags of a member that has data, as etcd
  // does, so discovery would only wait for peers that may never come back.
  if (Exists(s.data_dir + "/member")) {
    KV_LOG(kInfo, "agent") << "data dir " << s.data_dir << " already holds a member: not running discovery";
    if (!opt.env_file.empty()) return 0;
    return ExecServer(server, inv->ServerArgs(), inv->env);
  }

  Result<Bootstrap> found = FindBootstrap(s, opt.timeout);
  if (!found.ok()) return Fail(found.status().message());
  KV_LOG(kInfo, "agent") << "initial cluster " << found->initial_cluster << " (state " << found->state
                         << ", token " << found->token << ")";
  if (opt.env_file.empty()) return ExecServer(server, ServerArgs(*inv, *found), ServerEnv(*inv));

  Result<std::string> content = FormatEnvFile(EnvFileLines(s, *found));
  if (!content.ok()) return Fail(content.status().message());
  Status written = WriteFileAtomically(opt.env_file, *content);
  if (!written.ok()) return Fail(written.message());
  KV_LOG(kInfo, "agent") << "wrote " << opt.env_file;
  return 0;
}

}  // namespace agent
