#include "server/transport/snapshot_receiver.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/member_id.h"
#include "common/sha256.h"
#include "server/transport/snapshot_chunk.h"
#include "server/transport/transport.h"

namespace transport {
namespace {

constexpr const char* kPartSuffix = ".part";

uint64_t PhysicalMemory() {
  long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

bool EndsWith(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// Deletes the *.part files an earlier run left in `dir`.
void RemoveLeftovers(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    if (EndsWith(e->d_name, kPartSuffix)) names.emplace_back(e->d_name);
  }
  ::closedir(d);
  for (const std::string& name : names) ::unlink((dir + "/" + name).c_str());
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool ReadAll(int fd, std::string* out) {
  for (size_t at = 0; at < out->size();) {
    ssize_t n = ::pread(fd, out->data() + at, out->size() - at, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

struct SnapshotReceiver::Upload {
  ~Upload() {
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
  }
  uint64_t id = 0;
  uint64_t total = 0;
  uint64_t received = 0;
  std::string digest;
  common::Sha256 hash;
  raft::Message message;  // the MsgSnap, data still empty
  std::string path;
  int fd = -1;
  Clock::time_point last;
};

SnapshotReceiver::SnapshotReceiver(std::string spool_dir, Limits limits, Check check)
    : dir_(std::move(spool_dir)), limits_(limits), check_(std::move(check)) {
  RemoveLeftovers(dir_);
}

SnapshotReceiver::~SnapshotReceiver() = default;

SnapshotReceiver::Outcome SnapshotReceiver::Refuse(uint64_t from, int status, const std::string& why) {
  Drop(from);
  return Outcome{status, why, std::nullopt};
}

void SnapshotReceiver::Drop(uint64_t from) { uploads_.erase(from); }

SnapshotReceiver::Outcome SnapshotReceiver::Receive(uint64_t from, std::string_view body, Clock::time_point now) {
  auto chunk = DecodeSnapshotChunk(body);
  if (!chunk.ok()) return Refuse(from, 400, chunk.status().message());
  if (chunk->data.size() > limits_.max_chunk_bytes) {
    return Refuse(from, 413, "chunk of " + std::to_string(chunk->data.size()) + " bytes exceeds the limit of " +
                                 std::to_string(limits_.max_chunk_bytes));
  }
  if (chunk->offset == 0) {
    Drop(from);  // a new upload supersedes the one in progress
    Outcome begun = Begin(from, chunk->upload, chunk->total, chunk->digest, chunk->message, now);
    if (begun.status != 204) return begun;
  }
  auto it = uploads_.find(from);
  if (it == uploads_.end() || it->second->id != chunk->upload) {
    return Refuse(from, 409, "chunk of an upload not in progress");
  }
  Upload& u = *it->second;
  if (u.received != chunk->offset || u.total != chunk->total || u.digest != chunk->digest) {
    return Refuse(from, 409, "chunk at offset " + std::to_string(chunk->offset) + " out of order (have " +
                                 std::to_string(u.received) + " bytes)");
  }
  if (!WriteAll(u.fd, chunk->data)) return Refuse(from, 500, "cannot write " + u.path + ": " + std::strerror(errno));
  u.hash.Update(chunk->data);
  u.received += chunk->data.size();
  u.last = now;
  if (u.received < u.total) return Outcome{};
  return Finish(from);
}

SnapshotReceiver::Outcome SnapshotReceiver::Begin(uint64_t from, uint64_t upload, uint64_t total,
                                                  const std::string& digest, const std::string& message,
                                                  Clock::time_point now) {
  auto decoded = DecodeMessages(message);
  if (!decoded.ok() || decoded->size() != 1) return Refuse(from, 400, "undecodable snapshot message");
  raft::Message& m = decoded->front();
  if (m.type != raft::MessageType::kSnap || !m.snapshot.data.empty()) {
    return Refuse(from, 400, "not a snapshot message without its data");
  }
  if (check_) {
    Outcome checked = check_(from, m);
    if (checked.status != 204) return Refuse(from, checked.status, checked.error);
  }
  uint64_t max_total = limits_.max_total_bytes != 0 ? limits_.max_total_bytes : PhysicalMemory();
  if (total > max_total) {
    return Refuse(from, 413, "snapshot of " + std::to_string(total) + " bytes exceeds the limit of " +
                                 std::to_string(max_total));
  }
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    return Refuse(from, 500, "cannot create " + dir_ + ": " + std::strerror(errno));
  }
  struct statvfs fs {};
  if (::statvfs(dir_.c_str(), &fs) != 0) return Refuse(from, 500, "cannot stat " + dir_ + ": " + std::strerror(errno));
  uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  uint64_t expected = BytesStillExpected();
  if (expected > free_bytes || total > free_bytes - expected) {
    return Refuse(from, 507, "snapshot of " + std::to_string(total) + " bytes does not fit in the " +
                                 std::to_string(free_bytes - std::min(expected, free_bytes)) + " bytes free in " + dir_);
  }
  auto u = std::make_unique<Upload>();
  u->path = dir_ + "/" + common::FormatId(from) + kPartSuffix;
  u->fd = ::open(u->path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (u->fd < 0) return Refuse(from, 500, "cannot create " + u->path + ": " + std::strerror(errno));
  u->id = upload;
  u->total = total;
  u->digest = digest;
  u->message = std::move(m);
  u->last = now;
  uploads_[from] = std::move(u);
  return Outcome{};
}

SnapshotReceiver::Outcome SnapshotReceiver::Finish(uint64_t from) {
  Upload& u = *uploads_.at(from);
  if (u.hash.Finish() != u.digest) return Refuse(from, 400, "snapshot data does not match its SHA-256");
  std::string data(u.total, '\0');
  if (!ReadAll(u.fd, &data)) return Refuse(from, 500, "cannot read " + u.path + ": " + std::strerror(errno));
  raft::Message m = std::move(u.message);
  m.snapshot.data = std::move(data);
  Drop(from);  // the file goes before the data is checked and installed
  KV_LOG(kInfo, "rafthttp") << "received snapshot at index " << m.snapshot.metadata.index << " ("
                            << m.snapshot.data.size() << " bytes) from " << common::FormatId(from);
  return Outcome{204, "", std::move(m)};
}

void SnapshotReceiver::Expire(Clock::time_point now) {
  for (auto it = uploads_.begin(); it != uploads_.end();) {
    if (now - it->second->last < limits_.idle_timeout) {
      ++it;
      continue;
    }
    KV_LOG(kWarn, "rafthttp") << "dropped snapshot upload from " << common::FormatId(it->first) << " idle for "
                              << limits_.idle_timeout.count() << " s (" << it->second->received << " of "
                              << it->second->total << " bytes)";
    it = uploads_.erase(it);
  }
}

uint64_t SnapshotReceiver::BytesStillExpected() const {
  uint64_t n = 0;
  for (const auto& [from, u] : uploads_) n += u->total - u->received;
  return n;
}

}  // namespace transport
