// Env-file formatting and atomic writing; see env_file.h.
#include "discovery-agent/env_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace agent {
namespace {

using common::Status;

bool SafeValueChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > ' ' && u != 0x7f && c != '"' && c != '\'' && c != '\\' && c != '`' && c != '$';
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::string Dir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

common::Result<std::string> FormatEnvFile(const EnvLines& lines) {
  std::string out;
  for (const auto& [key, value] : lines) {
    for (char c : value) {
      if (!SafeValueChar(c)) {
        return Status::InvalidArgument("cannot write " + key + "=" + value +
                                       " to an env file: values may not contain spaces, quotes, '$' or '\\'");
      }
    }
    out += key + "=" + value + "\n";
  }
  return out;
}

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", tmp);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Errno("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  if (::close(fd) != 0 || !synced) {
    Status s = Errno("sync", tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Errno("rename to", path);
    ::unlink(tmp.c_str());
    return s;
  }
  // The rename itself is durable only once the directory is synced.
  int dir = ::open(Dir(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Status::OK();
}

}  // namespace agent
