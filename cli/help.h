// Help texts laid out as etcdctl v2 (urfave/cli) lays them out, so that
// `kvraftctl X --help` reads like `etcdctl X --help`. Pure functions; thread-safe.
#pragma once

#include <string>

#include "cli/command.h"

namespace cli {

// `kvraftctl --help`, `kvraftctl help`, and the text after "Incorrect Usage." errors.
std::string AppHelp();
// `kvraftctl [parent] cmd --help`; parent is "" or e.g. "member".
std::string CommandHelp(const Command& cmd, const std::string& parent);
// `kvraftctl member` / `kvraftctl member --help`: the subcommand list.
std::string SubcommandsHelp(const Command& cmd);
// `kvraftctl help member`: urfave's short form for a command with subcommands.
std::string HelpTopicOfGroup(const Command& cmd);
// `kvraftctl --version`.
std::string VersionText();

}  // namespace cli
