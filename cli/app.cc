#include "cli/app.h"

#include "cli/command.h"
#include "cli/help.h"
#include "cli/session.h"

namespace cli {

namespace {

constexpr int kExitNoHelpTopic = 3;  // urfave/cli's code for an unknown command

const Command* FindCommand(const std::vector<Command>& commands, const std::string& name) {
  for (const Command& c : commands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

int NoHelpTopic(const std::string& name) {
  Err("No help topic for '" + name + "'\n");
  return kExitNoHelpTopic;
}

// "Incorrect Usage" as urfave/cli prints it: the help on stdout, the error on stderr.
int IncorrectUsage(const std::string& separator, const std::string& error, const std::string& help) {
  Out("Incorrect Usage" + separator + " " + error + "\n\n" + help);
  Err(error + "\n");
  return kExitBadArgs;
}

GlobalOptions ToGlobalOptions(const FlagValues& v) {
  GlobalOptions g;
  g.debug = v.Bool("debug");
  g.no_sync = v.Bool("no-sync");
  g.output = v.String("output");
  g.discovery_srv = v.String("discovery-srv");
  g.insecure_discovery = v.Bool("insecure-discovery");
  g.endpoints = v.String("endpoints");
  g.endpoint = v.String("endpoint");
  g.peers = v.String("peers");
  g.cert_file = v.String("cert-file");
  g.key_file = v.String("key-file");
  g.ca_file = v.String("ca-file");
  g.username = v.String("username");
  g.timeout = v.Duration("timeout");
  g.total_timeout = v.Duration("total-timeout");
  return g;
}

int Help(const std::vector<std::string>& args) {
  if (args.empty()) {
    Out(AppHelp());
    return kExitSuccess;
  }
  const Command* c = FindCommand(Commands(), args[0]);
  if (c == nullptr) return NoHelpTopic(args[0]);
  Out(c->subcommands.empty() ? CommandHelp(*c, "") : HelpTopicOfGroup(*c));
  return kExitSuccess;
}

// Parses a command's own flags and runs it; `parent` names its group.
int RunCommand(const Command& cmd, const std::string& parent, const GlobalOptions& global,
               const std::vector<std::string>& args) {
  auto parsed = ParseFlags(cmd.flags, ReorderArgs(args));
  if (!parsed.ok()) return IncorrectUsage(":", parsed.status().message(), CommandHelp(cmd, parent));
  if (parsed->help) {
    Out(CommandHelp(cmd, parent));
    return kExitSuccess;
  }
  CommandContext ctx{global, parsed->values, parsed->args};
  return cmd.action(ctx);
}

int RunGroup(const Command& group, const GlobalOptions& global, const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    Out(SubcommandsHelp(group));
    return kExitSuccess;
  }
  if (args[0] == "help" || args[0] == "h") {
    if (args.size() == 1) {
      Out(SubcommandsHelp(group));
      return kExitSuccess;
    }
    const Command* sub = FindCommand(group.subcommands, args[1]);
    if (sub == nullptr) return NoHelpTopic(args[1]);
    Out(CommandHelp(*sub, group.name));
    return kExitSuccess;
  }
  const Command* sub = FindCommand(group.subcommands, args[0]);
  if (sub == nullptr) return NoHelpTopic(args[0]);
  return RunCommand(*sub, group.name, global, std::vector<std::string>(args.begin() + 1, args.end()));
}

}  // namespace

int RunApp(const std::vector<std::string>& args) {
  std::vector<FlagSpec> specs = GlobalFlags();
  specs.push_back({{"version", "v"}, FlagKind::kBool, "", "", ""});
  auto parsed = ParseFlags(specs, args);
  if (!parsed.ok()) return IncorrectUsage(".", parsed.status().message(), AppHelp());
  if (parsed->help) return Help({});
  if (parsed->values.Bool("version")) {
    Out(VersionText());
    return kExitSuccess;
  }
  const std::vector<std::string>& rest = parsed->args;
  if (rest.empty()) return Help({});
  if (rest[0] == "help" || rest[0] == "h") return Help(std::vector<std::string>(rest.begin() + 1, rest.end()));
  const Command* cmd = FindCommand(Commands(), rest[0]);
  if (cmd == nullptr) return NoHelpTopic(rest[0]);
  GlobalOptions global = ToGlobalOptions(parsed->values);
  std::vector<std::string> cmd_args(rest.begin() + 1, rest.end());
  return cmd->subcommands.empty() ? RunCommand(*cmd, "", global, cmd_args) : RunGroup(*cmd, global, cmd_args);
}

}  // namespace cli
