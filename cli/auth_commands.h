// Actions of `user`, `role` and `auth`: etcd's v2 auth API through etcdctl
// v2's commands, with its prompts, output, error texts and exit codes (every
// failure exits 1). Main thread only.
#pragma once

#include "cli/command.h"

namespace cli {

int UserAddAction(CommandContext& ctx);
int UserGetAction(CommandContext& ctx);
int UserListAction(CommandContext& ctx);
int UserRemoveAction(CommandContext& ctx);
int UserGrantAction(CommandContext& ctx);
int UserRevokeAction(CommandContext& ctx);
int UserPasswdAction(CommandContext& ctx);

int RoleAddAction(CommandContext& ctx);
int RoleGetAction(CommandContext& ctx);
int RoleListAction(CommandContext& ctx);
int RoleRemoveAction(CommandContext& ctx);
int RoleGrantAction(CommandContext& ctx);
int RoleRevokeAction(CommandContext& ctx);

int AuthEnableAction(CommandContext& ctx);
int AuthDisableAction(CommandContext& ctx);

}  // namespace cli
