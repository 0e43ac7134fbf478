#include "server/offline/staged_dir.h"

#include <filesystem>
#include <system_error>

namespace offline {
namespace {

namespace fs = std::filesystem;
using common::Status;

constexpr char kStagingName[] = ".kvraft-staging";

}  // namespace

StagedDataDir::~StagedDataDir() {
  if (committed_) return;
  std::error_code ignored;
  fs::remove_all(staging_, ignored);
}

common::Result<std::unique_ptr<StagedDataDir>> StagedDataDir::Create(const std::string& dest,
                                                                     const std::string& what) {
  std::error_code ec;
  const std::string staging = (fs::path(dest) / kStagingName).string();
  if (fs::exists(dest, ec)) {
    if (!fs::is_directory(dest, ec)) return Status::InvalidArgument(what + " " + dest + " is not a directory");
    for (const auto& entry : fs::directory_iterator(dest, ec)) {
      if (entry.path().filename() != kStagingName) {
        return Status::InvalidArgument(what + " " + dest + " is not empty (it holds " +
                                       entry.path().filename().string() + "); nothing was written");
      }
    }
    if (ec) return Status::IOError("cannot read " + what + " " + dest + ": " + ec.message());
    fs::remove_all(staging, ec);  // left by an interrupted run
  }
  if (!fs::create_directories(fs::path(staging) / "member", ec) && ec) {
    return Status::IOError("cannot create " + staging + ": " + ec.message());
  }
  return std::unique_ptr<StagedDataDir>(new StagedDataDir(dest, staging));
}

Status StagedDataDir::Commit() {
  std::error_code ec;
  fs::rename(fs::path(staging_) / "member", fs::path(dest_) / "member", ec);
  if (ec) return Status::IOError("cannot move the new data into " + dest_ + ": " + ec.message());
  committed_ = true;
  fs::remove_all(staging_, ec);
  return Status::OK();
}

}  // namespace offline
