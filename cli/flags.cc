#include "cli/flags.h"

#include "common/go_flag.h"
#include "common/go_quote.h"
#include "common/go_strconv.h"
#include "common/time_format.h"

namespace cli {

using common::ParseGoBool;
using common::ParseGoDuration;
using common::ParseGoInt;
using common::Result;
using common::Status;

bool FlagValues::Bool(const std::string& name) const {
  Result<bool> b = ParseGoBool(String(name));
  return b.ok() && *b;
}

std::string FlagValues::String(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? "" : it->second;
}

int64_t FlagValues::Int(const std::string& name) const {
  Result<int64_t> v = ParseGoInt(String(name));
  return v.ok() ? *v : 0;
}

std::chrono::nanoseconds FlagValues::Duration(const std::string& name) const {
  Result<std::chrono::nanoseconds> d = ParseGoDuration(String(name));
  return d.ok() ? *d : std::chrono::nanoseconds(0);
}

std::vector<std::string> FlagValues::Strings(const std::string& name) const {
  auto it = lists_.find(name);
  return it == lists_.end() ? std::vector<std::string>() : it->second;
}

static bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::vector<std::string> ReorderArgs(const std::vector<std::string>& args) {
  std::vector<std::string> flags, rest;
  bool want_value = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<long>(i), args.end());
      break;
    }
    if (want_value && !StartsWith(arg, "-")) {
      want_value = false;
      flags.push_back(arg);
      continue;
    }
    want_value = false;
    if (arg != "-" && StartsWith(arg, "-")) {
      flags.push_back(arg);
      want_value = arg.find('=') == std::string::npos;
    } else {
      rest.push_back(arg);
    }
  }
  flags.insert(flags.end(), rest.begin(), rest.end());
  return flags;
}

static const FlagSpec* Find(const std::vector<FlagSpec>& specs, const std::string& name) {
  for (const FlagSpec& spec : specs) {
    for (const std::string& n : spec.names) {
      if (n == name) return &spec;
    }
  }
  return nullptr;
}

// `name` as written: Go names the flag the way the command line did. Go's
// flag package reports ints' strconv reason and "parse error" for durations.
static Status CheckValue(FlagKind kind, const std::string& name, const std::string& value) {
  Status why;
  if (kind == FlagKind::kInt) why = ParseGoInt(value).status();
  if (kind == FlagKind::kDuration && !ParseGoDuration(value).ok()) why = Status::InvalidArgument("parse error");
  if (why.ok()) return why;
  return Status::InvalidArgument("invalid value " + common::GoQuote(value) + " for flag -" + name + ": " +
                                 why.message());
}

Result<ParsedFlags> ParseFlags(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args) {
  ParsedFlags out;
  for (const FlagSpec& spec : specs) {
    out.values.Set(spec.names[0], spec.kind == FlagKind::kBool && spec.default_value.empty() ? "false"
                                                                                            : spec.default_value);
  }
  common::GoFlagScanner scan(args);
  for (common::GoFlag arg; scan.Next(&arg);) {
    const FlagSpec* spec = Find(specs, arg.name);
    bool is_help = spec == nullptr && (arg.name == "help" || arg.name == "h");
    if (spec == nullptr && !is_help) return common::GoFlagNotDefined(arg.name);
    if (is_help || spec->kind == FlagKind::kBool) {
      std::string value = arg.value.value_or("true");
      Result<bool> b = ParseGoBool(value);
      if (!b.ok()) {
        return Status::InvalidArgument("invalid boolean value " + common::GoQuote(value) + " for -" + arg.name +
                                       ": " + b.status().message());
      }
      if (is_help) {
        out.help = *b;
      } else {
        out.values.Set(spec->names[0], *b ? "true" : "false");
        out.values.MarkGiven(spec->names[0]);
      }
      continue;
    }
    Status st = scan.TakeValue(&arg);
    if (!st.ok()) return st;
    st = CheckValue(spec->kind, arg.name, *arg.value);
    if (!st.ok()) return st;
    if (spec->kind == FlagKind::kStringSlice) out.values.Append(spec->names[0], *arg.value);
    else out.values.Set(spec->names[0], *arg.value);
    out.values.MarkGiven(spec->names[0]);
  }
  if (!scan.status().ok()) return scan.status();
  out.args = scan.Positional();
  return out;
}

std::string FormatFlagLines(const std::vector<FlagSpec>& specs) {
  size_t width = 0;
  for (const FlagSpec& spec : specs) width = std::max(width, spec.help_left.size());
  std::string out;
  for (const FlagSpec& spec : specs) {
    out += "   " + spec.help_left;
    if (!spec.help_right.empty()) out += std::string(width - spec.help_left.size() + 2, ' ') + spec.help_right;
    out += "\n";
  }
  return out;
}

}  // namespace cli
