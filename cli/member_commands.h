// Actions of `member list|add|remove|update` and `cluster-health`, printing
// what etcdctl v2 prints, plus `member list -w table` as newer etcdctl does.
// Main thread only.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/members.h"

namespace cli {

int MemberListAction(CommandContext& ctx);
int MemberAddAction(CommandContext& ctx);
int MemberRemoveAction(CommandContext& ctx);
int MemberUpdateAction(CommandContext& ctx);
int ClusterHealthAction(CommandContext& ctx);

// The ID | STATUS | NAME | PEER ADDRS | CLIENT ADDRS table (etcdctl v3 layout:
// headers centred, cells right-aligned).
std::string MemberTable(const std::vector<Member>& members);

}  // namespace cli
