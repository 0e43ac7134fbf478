#include "server/storage/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace storage {
namespace {

using common::Status;

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return Status::OK();
  return Status::IOError("cannot create directory " + path + ": " + std::strerror(errno));
}

// The pid the holder wrote, for the message; "" when unreadable.
std::string HolderPid(int fd) {
  char buf[32] = {};
  ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
  std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.find_first_not_of("0123456789") == std::string::npos ? pid : "";
}

}  // namespace

DataDirLock::~DataDirLock() { ::close(fd_); }

common::Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::string& data_dir) {
  Status s = MakeDir(data_dir);
  if (s.ok()) s = MakeDir(data_dir + "/member");
  if (!s.ok()) return s;
  const std::string path = data_dir + "/member/kvraft.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string pid = HolderPid(fd);
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Unavailable("data dir " + data_dir + " is in use by another kvraft process" +
                                 (pid.empty() ? "" : " (pid " + pid + ")"));
    }
    return Status::IOError("cannot lock " + path + ": " + std::strerror(err));
  }
  // Only the message of a later refusal reads the pid: the lock holds without it.
  std::string pid = std::to_string(::getpid()) + "\n";
  bool noted = ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
  (void)noted;
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

}  // namespace storage
