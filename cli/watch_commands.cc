// watch and exec-watch: long polls on /v2/keys with wait=true, as etcd's Go
// client watcher makes them (waitIndex follows the last event + 1).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "cli/keys_commands.h"
#include "cli/keys_response.h"
#include "cli/session.h"

extern char** environ;

namespace cli {

namespace {

// etcdctl exits 0 on Ctrl+C during a watch.
void ExitOnInterrupt(int) { _exit(kExitSuccess); }

class Watcher {
 public:
  Watcher(Client* client, std::string key, uint64_t after_index, bool recursive)
      : client_(client), key_(std::move(key)), recursive_(recursive), wait_index_(after_index > 0 ? after_index + 1 : 0) {}

  // The next event; an empty answer (a long poll the server ended) polls again.
  CtlResult<KeysResponse> Next() {
    while (true) {
      QueryParams params = {{"recursive", recursive_ ? "true" : "false"},
                            {"wait", "true"},
                            {"waitIndex", std::to_string(wait_index_)}};
      CtlResult<common::HttpResponse> http = client_->Do({"GET", KeysTarget(key_, params), "", "", false, true});
      if (!http.ok()) return http.error;
      if ((http.value->status == 200 || http.value->status == 201) && http.value->body.empty()) continue;
      CtlResult<KeysResponse> r = DecodeKeysResponse(*http.value);
      if (r.ok()) wait_index_ = r.value->node.modified_index + 1;
      return r;
    }
  }

 private:
  Client* client_;
  std::string key_;
  bool recursive_;
  uint64_t wait_index_;
};

// Go's exec.LookPath error for a command that cannot run, or "".
std::string LookPathError(const std::string& name) {
  auto executable = [](const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    return executable(name) ? "" : "fork/exec " + name + ": no such file or directory";
  }
  const char* path = getenv("PATH");
  std::string dirs = path == nullptr ? "" : path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (executable((dir.empty() ? "." : dir) + "/" + name)) return "";
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "exec: \"" + name + "\": executable file not found in $PATH";
}

// Starts argv with the ETCD_WATCH_* variables of `r`; does not wait for it.
void Spawn(const std::vector<std::string>& argv, const KeysResponse& r) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  env.push_back("ETCD_WATCH_ACTION=" + r.action);
  env.push_back("ETCD_WATCH_MODIFIED_INDEX=" + std::to_string(r.node.modified_index));
  env.push_back("ETCD_WATCH_KEY=" + r.node.key);
  env.push_back("ETCD_WATCH_VALUE=" + r.node.value);
  std::vector<char*> cargv, cenv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cargv.push_back(nullptr);
  cenv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    execvpe(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
}

}  // namespace

int WatchAction(CommandContext& ctx) {
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  if (ctx.args.empty()) return HandleError(kExitBadArgs, CtlError{"key required"});
  bool recursive = ctx.flags.Bool("recursive");
  Watcher watcher(client.get(), ctx.args[0], static_cast<uint64_t>(ctx.flags.Int("after-index")), recursive);
  signal(SIGINT, ExitOnInterrupt);
  bool forever = ctx.flags.Bool("forever");
  while (true) {
    CtlResult<KeysResponse> r = watcher.Next();
    if (!r.ok()) return HandleError(kExitServerError, r.error);
    if (r.value->node.dir) continue;
    std::string out, err;
    if (recursive) out = "[" + r.value->action + "] " + r.value->node.key + "\n";
    FormatKeysResponse(*r.value, ctx.global.output, &out, &err);
    Out(out);
    Err(err);
    if (!forever) return kExitSuccess;
  }
}

int ExecWatchAction(CommandContext& ctx) {
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  const std::vector<std::string>& args = ctx.args;
  if (args.size() < 2) return HandleError(kExitBadArgs, CtlError{"key and command to exec required"});
  // etcdctl's reading: "<key> -- <command...>", else the key comes last.
  bool separator = false;
  for (size_t i = 1; i < args.size(); ++i) separator = separator || args[i] == "--";
  std::string key = separator ? args[0] : args.back();
  std::vector<std::string> command = separator ? std::vector<std::string>(args.begin() + 2, args.end())
                                               : std::vector<std::string>(args.begin(), args.end() - 1);
  int64_t after = ctx.flags.Int("after-index");
  Watcher watcher(client.get(), key, static_cast<uint64_t>(after != 0 ? after + 1 : 0), ctx.flags.Bool("recursive"));
  signal(SIGINT, ExitOnInterrupt);
  signal(SIGCHLD, SIG_IGN);  // children are not waited for; let the kernel reap them
  while (true) {
    CtlResult<KeysResponse> r = watcher.Next();
    if (!r.ok()) return HandleError(kExitServerError, r.error);
    if (r.value->node.dir) {
      Err("Ignored dir " + r.value->node.key + " change\n");
      continue;
    }
    if (command.empty()) return kExitSuccess;
    std::string error = LookPathError(command[0]);
    if (!error.empty()) {
      Err(error);
      return kExitBadArgs;
    }
    Spawn(command, *r.value);
  }
}

}  // namespace cli
