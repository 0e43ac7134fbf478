// A data dir made by an offline tool (backup, snapshot restore) is built in
// a staging directory inside its destination and moved into place, as one
// rename, only once complete: an interrupted or failed tool leaves nothing
// kvraft would start from, and never writes over anything.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace offline {

class StagedDataDir {
 public:
  ~StagedDataDir();  // removes the staging directory unless committed
  StagedDataDir(const StagedDataDir&) = delete;
  StagedDataDir& operator=(const StagedDataDir&) = delete;

  // `dest` must be absent or empty (a staging directory an interrupted tool
  // left there is removed): InvalidArgument "<what> D is not empty" when
  // not. `what` names the directory in messages ("backup dir").
  static common::Result<std::unique_ptr<StagedDataDir>> Create(const std::string& dest, const std::string& what);

  // The data dir to build (its member/ subdirectory is what moves).
  const std::string& path() const { return staging_; }
  // Moves <path>/member to <dest>/member and removes the staging directory.
  common::Status Commit();

 private:
  StagedDataDir(std::string dest, std::string staging) : dest_(std::move(dest)), staging_(std::move(staging)) {}
  std::string dest_;
  std::string staging_;
  bool committed_ = false;
};

}  // namespace offline
