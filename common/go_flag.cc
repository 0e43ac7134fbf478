// Go flag-package word splitting and etcd's flag variables; see go_flag.h.
#include "common/go_flag.h"

#include <cctype>

namespace common {

bool GoFlagScanner::Next(GoFlag* flag) {
  if (!done_ && !Read(flag)) done_ = true;
  return !done_;
}

bool GoFlagScanner::Read(GoFlag* flag) {
  if (next_ == args_.size()) return false;
  const std::string& s = args_[next_];
  if (s.size() < 2 || s[0] != '-') return false;
  size_t dashes = s[1] == '-' ? 2 : 1;
  if (s.size() == dashes) {  // "--"
    ++next_;
    ended_by_dashes_ = true;
    return false;
  }
  std::string name = s.substr(dashes);
  if (name[0] == '-' || name[0] == '=') {
    status_ = Status::InvalidArgument("bad flag syntax: " + s);
    return false;
  }
  flag->value.reset();
  if (size_t eq = name.find('='); eq != std::string::npos) {
    flag->value = name.substr(eq + 1);
    name.resize(eq);
  }
  flag->name = std::move(name);
  flag->first = next_++;
  flag->end = next_;
  return true;
}

Status GoFlagScanner::TakeValue(GoFlag* flag) {
  if (flag->value) return Status::OK();
  if (next_ == args_.size()) return Status::InvalidArgument("flag needs an argument: -" + flag->name);
  flag->value = args_[next_++];
  flag->end = next_;
  return Status::OK();
}

std::vector<std::string> GoFlagScanner::Positional() const {
  return std::vector<std::string>(args_.begin() + static_cast<std::ptrdiff_t>(next_), args_.end());
}

std::vector<std::string> GoFlagScanner::Rest() const {
  size_t from = ended_by_dashes_ ? next_ - 1 : next_;
  return std::vector<std::string>(args_.begin() + static_cast<std::ptrdiff_t>(from), args_.end());
}

Status GoFlagNotDefined(const std::string& name) {
  return Status::InvalidArgument("flag provided but not defined: -" + name);
}

std::string FlagToEnv(const std::string& name) {
  std::string out = "ETCD_";
  for (char c : name) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace common
