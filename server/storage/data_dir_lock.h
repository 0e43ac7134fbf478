// An exclusive lock on a data dir: flock(2) on <data-dir>/member/kvraft.lock
// (an empty file, never written). A running member holds it for its life, and
// an offline tool (backup, force-new-cluster's rewrite) while it reads or
// rewrites the dir, so neither works on files the other is using. The kernel
// drops the lock when the process ends, however it ends: a crash leaves
// nothing to clean up.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace storage {

class DataDirLock {
 public:
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  // Takes the lock without waiting, creating <data_dir>/member when absent.
  // Unavailable "data dir D is in use by another kvraft process" when
  // another process holds it.
  static common::Result<std::unique_ptr<DataDirLock>> Acquire(const std::string& data_dir);

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace storage
