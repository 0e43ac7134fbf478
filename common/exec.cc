#include "common/exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace common {

std::string BesideThisProgram(const std::string& name) {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return name;
  std::string self(buf, static_cast<size_t>(n));
  return self.substr(0, self.rfind('/') + 1) + name;
}

Status ExecProgram(const std::string& path, const std::vector<std::string>& args,
                   const std::vector<std::string>& env) {
  std::vector<char*> argv = {const_cast<char*>(path.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::execvpe(path.c_str(), argv.data(), envp.data());
  return Status::IOError("cannot exec " + path + ": " + std::strerror(errno));
}

}  // namespace common
