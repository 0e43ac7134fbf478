// kvraft's offline tools, run as the first arguments of the kvraft binary
// (kvraftctl's backup and snapshot restore run them, since the data dir's
// format belongs to the server):
//
//   kvraft backup --data-dir DIR --backup-dir DIR
//   kvraft snapshot restore FILE [--data-dir DIR] [--name NAME]
//       [--initial-cluster ...] [--initial-cluster-token TOKEN]
//       [--initial-advertise-peer-urls URLS]
//
// etcd takes no positional arguments, so these words never clash with a
// member's command line.
#pragma once

#include <string>
#include <vector>

namespace offline {

// True when `args` (argv without argv[0]) name a tool.
bool IsTool(const std::vector<std::string>& args);
// Runs it; returns the exit code (0, 1 on failure, 2 on a usage error).
int RunTool(const std::vector<std::string>& args);

}  // namespace offline
