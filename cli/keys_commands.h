// Actions of the key commands: get, set, put, mk, mkdir, setdir, update,
// updatedir, rm, rmdir, ls, watch, exec-watch. Each returns an exit code and
// prints what etcdctl v2 prints. Main thread only.
#pragma once

#include "cli/command.h"

namespace cli {

int GetAction(CommandContext& ctx);
int SetAction(CommandContext& ctx);
int PutAction(CommandContext& ctx);
int MkAction(CommandContext& ctx);
int MkdirAction(CommandContext& ctx);
int SetdirAction(CommandContext& ctx);
int UpdateAction(CommandContext& ctx);
int UpdatedirAction(CommandContext& ctx);
int RmAction(CommandContext& ctx);
int RmdirAction(CommandContext& ctx);
int LsAction(CommandContext& ctx);
int WatchAction(CommandContext& ctx);
int ExecWatchAction(CommandContext& ctx);

}  // namespace cli
