#include "server/offline/tools.h"

#include <iostream>
#include <map>
#include <set>

#include "common/log.h"
#include "server/offline/backup.h"
#include "server/offline/restore.h"

namespace offline {
namespace {

using common::Status;

constexpr char kUsage[] =
    "Usage:\n"
    "  kvraft backup --data-dir DIR --backup-dir DIR\n"
    "  kvraft snapshot restore FILE [--data-dir DIR] [--name NAME] [--initial-cluster NAME=URL,...]\n"
    "      [--initial-cluster-token TOKEN] [--initial-advertise-peer-urls URLS]\n";

struct Words {
  std::map<std::string, std::string> flags;  // name -> value
  std::vector<std::string> flag_words;       // the flags as written
  std::vector<std::string> positional;
};

// Go-style flags ("--f v", "--f=v", "-f"), before or after the positional
// arguments; "--" ends them. Every flag but those in `bools` takes a value.
common::Result<Words> Scan(const std::vector<std::string>& args, const std::set<std::string>& known,
                           const std::set<std::string>& bools) {
  Words w;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      w.positional.insert(w.positional.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (a.size() < 2 || a[0] != '-') {
      w.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(a[1] == '-' ? 2 : 1);
    std::string value = "true";
    auto eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (!known.count(name)) return Status::InvalidArgument("flag provided but not defined: -" + name);
    w.flag_words.push_back(a);
    if (!has_value && !bools.count(name)) {
      if (i + 1 >= args.size()) return Status::InvalidArgument("flag needs an argument: -" + name);
      value = args[++i];
      w.flag_words.push_back(value);
    }
    w.flags[name] = value;
  }
  return w;
}

int Usage(const std::string& error) {
  std::cerr << "kvraft: " << error << "\n" << kUsage;
  return 2;
}

int Done(const char* component, const Status& s) {
  if (s.ok()) return 0;
  KV_LOG(kError, component) << s.message();
  return 1;
}

int RunBackup(const std::vector<std::string>& args) {
  // etcdctl's flags; kvraft keeps its log in the data dir and has no v3 data.
  auto w = Scan(args, {"data-dir", "backup-dir", "wal-dir", "backup-wal-dir", "with-v3"}, {"with-v3"});
  if (!w.ok()) return Usage(w.status().message());
  if (!w->positional.empty()) return Usage("backup takes no arguments");
  for (const char* ignored : {"wal-dir", "backup-wal-dir"}) {
    if (w->flags.count(ignored)) {
      KV_LOG(kInfo, "backup") << "--" << ignored << " is ignored: kvraft keeps its log in the data dir";
    }
  }
  return Done("backup", Backup({w->flags["data-dir"], w->flags["backup-dir"]}));
}

int RunRestore(const std::vector<std::string>& args) {
  auto w = Scan(args, {"data-dir", "name", "initial-cluster", "initial-cluster-token", "initial-advertise-peer-urls"},
                {});
  if (!w.ok()) return Usage(w.status().message());
  if (w->positional.size() != 1) return Usage("snapshot restore takes one argument: the snapshot file");
  return Done("restore", Restore({w->positional[0], w->flag_words}));
}

}  // namespace

bool IsTool(const std::vector<std::string>& args) {
  return !args.empty() && (args[0] == "backup" || args[0] == "snapshot");
}

int RunTool(const std::vector<std::string>& args) {
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "backup") return RunBackup(rest);
  if (rest.empty() || rest[0] != "restore") return Usage("unknown snapshot command (kvraft runs only `snapshot restore`)");
  return RunRestore(std::vector<std::string>(rest.begin() + 1, rest.end()));
}

}  // namespace offline
