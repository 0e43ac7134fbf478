#include "cli/flags.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "common/go_flag.h"

namespace cli {

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

// `name` as written: Go names the flag the way the command line did.
static Status CheckValue(FlagKind kind, const std::string& name, const std::string& value) {
  bool ok = true;
  if (kind == FlagKind::kInt) ok = ParseGoInt(value).ok();
  if (kind == FlagKind::kDuration) ok = ParseGoDuration(value).ok();
  if (ok) return Status::OK();
  return Status::InvalidArgument("invalid value \"" + value + "\" for flag -" + name + ": parse error");
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
        return Status::InvalidArgument("invalid boolean value \"" + value + "\" for -" + arg.name + ": parse error");
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
    out.values.Set(spec->names[0], *arg.value);
    out.values.MarkGiven(spec->names[0]);
  }
  if (!scan.status().ok()) return scan.status();
  out.args = scan.Positional();
  return out;
}

Result<int64_t> ParseGoInt(const std::string& in) {
  std::string s;
  for (char c : in) {
    if (c != '_') s += c;
  }
  if (s.empty()) return Status::InvalidArgument("parse error");
  size_t pos = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    pos = 1;
  }
  int base = 10;
  if (s.size() > pos + 1 && s[pos] == '0') {
    char p = static_cast<char>(tolower(static_cast<unsigned char>(s[pos + 1])));
    if (p == 'x') base = 16, pos += 2;
    else if (p == 'o') base = 8, pos += 2;
    else if (p == 'b') base = 2, pos += 2;
    else base = 8, pos += 1;
  }
  std::string digits = s.substr(pos);
  if (digits.empty() || digits[0] == '+' || digits[0] == '-') return Status::InvalidArgument("parse error");
  errno = 0;
  char* end = nullptr;
  unsigned long long v = strtoull(digits.c_str(), &end, base);
  if (errno != 0 || *end != '\0') return Status::InvalidArgument("parse error");
  if (v > static_cast<unsigned long long>(INT64_MAX) + (negative ? 1 : 0)) return Status::InvalidArgument("parse error");
  return negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

Result<std::chrono::nanoseconds> ParseGoDuration(const std::string& in) {
  std::string s = in;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s = s.substr(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Status::InvalidArgument("parse error");
  static const std::pair<const char*, double> kUnits[] = {
      {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start || (i - start == 1 && s[start] == '.')) return Status::InvalidArgument("parse error");
    double number = strtod(s.substr(start, i - start).c_str(), nullptr);
    size_t unit_start = i;
    while (i < s.size() && !isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(unit_start, i - unit_start);
    bool found = false;
    for (const auto& [name, scale] : kUnits) {
      if (unit == name) {
        total += number * scale;
        found = true;
      }
    }
    if (!found) return Status::InvalidArgument("parse error");
  }
  if (total > 9.2e18) return Status::InvalidArgument("parse error");
  auto ns = static_cast<int64_t>(std::llround(total));
  return std::chrono::nanoseconds(negative ? -ns : ns);
}

Result<bool> ParseGoBool(const std::string& s) {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (s == t) return true;
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (s == f) return false;
  }
  return Status::InvalidArgument("parse error");
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
