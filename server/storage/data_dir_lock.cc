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

}  // namespace

DataDirLock::~DataDirLock() { ::close(fd_); }

common::Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const std::string& data_dir) {
  Status s = MakeDir(data_dir);
  if (s.ok()) s = MakeDir(data_dir + "/member");
  if (!s.ok()) return s;
  const std::string path = data_dir + "/member/kvraft.lock";
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status::Unavailable("data dir " + data_dir + " is in use by another kvraft process");
    return Status::IOError("cannot lock " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

}  // namespace storage
