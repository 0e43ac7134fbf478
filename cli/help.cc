#include "cli/help.h"

#include <algorithm>

#include "common/version.h"

namespace cli {

static std::string Pad(const std::string& s, size_t width) { return s + std::string(width - s.size(), ' '); }

// "   name  usage\n" lines with names padded to one column (two spaces gap).
static std::string NameUsageLines(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  std::string out;
  for (const auto& [name, usage] : rows) out += "   " + Pad(name, width + 2) + usage + "\n";
  return out;
}

std::string AppHelp() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Command& c : Commands()) rows.emplace_back(c.name, c.usage);
  rows.emplace_back("help, h", "Shows a list of commands or help for one command");
  std::vector<FlagSpec> flags = GlobalFlags();
  flags.push_back({{"help"}, FlagKind::kBool, "", "--help, -h", "show help"});
  flags.push_back({{"version"}, FlagKind::kBool, "", "--version, -v", "print the version"});
  return std::string("NAME:\n   ") + kProgramName + " - A simple command line client for etcd.\n\n" +
         "USAGE:\n   " + kProgramName + " [global options] command [command options] [arguments...]\n\n" +
         "VERSION:\n   " + common::kKvraftVersion + "\n\n" +
         "COMMANDS:\n" + NameUsageLines(rows) + "\n" +
         "GLOBAL OPTIONS:\n" + FormatFlagLines(flags);
}

std::string CommandHelp(const Command& cmd, const std::string& parent) {
  std::string full = std::string(kProgramName) + " " + (parent.empty() ? "" : parent + " ") + cmd.name;
  std::string out = "NAME:\n   " + full + " - " + cmd.usage + "\n\nUSAGE:\n   " + full;
  if (!cmd.flags.empty()) out += " [command options]";
  out += " " + (cmd.args_usage.empty() ? std::string("[arguments...]") : cmd.args_usage);
  if (!cmd.description.empty()) out += "\n\nDESCRIPTION:\n   " + cmd.description;
  if (!cmd.flags.empty()) out += "\n\nOPTIONS:\n" + FormatFlagLines(cmd.flags) + "   ";
  return out + "\n";
}

std::string SubcommandsHelp(const Command& cmd) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Command& c : cmd.subcommands) rows.emplace_back(c.name, c.usage);
  std::string full = std::string(kProgramName) + " " + cmd.name;
  return "NAME:\n   " + full + " - " + cmd.usage + "\n\nUSAGE:\n   " + full +
         " command [command options] [arguments...]\n\nCOMMANDS:\n" + NameUsageLines(rows) +
         "\nOPTIONS:\n   --help, -h  show help\n   \n";
}

std::string HelpTopicOfGroup(const Command& cmd) {
  std::string full = std::string(kProgramName) + " " + cmd.name;
  return "NAME:\n   " + full + " - " + cmd.usage + "\n\nUSAGE:\n   " + full + " [arguments...]\n";
}

std::string VersionText() {
  return std::string(kProgramName) + " version: " + common::kKvraftVersion + "\nAPI version: 2\n";
}

}  // namespace cli
