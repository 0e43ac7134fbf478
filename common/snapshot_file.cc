#include "common/snapshot_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "common/sha256.h"

namespace common {
namespace {

constexpr char kMagic[] = "KVRAFTSN";
constexpr size_t kSummedBytes = 72;  // the header before its checksum

void Put(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t Get(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in[at + i])) << (8 * i);
  return v;
}

std::string Summed(const SnapshotHeader& h) {
  std::string out(kMagic, 8);
  Put(&out, kSnapshotFormatVersion, 4);
  Put(&out, 0, 4);
  for (uint64_t v : {h.cluster_id, h.member_id, h.raft_index, h.raft_term, h.store_index,
                     static_cast<uint64_t>(h.taken_unix_ns), h.payload_bytes}) {
    Put(&out, v, 8);
  }
  return out;
}

}  // namespace

std::string EncodeSnapshotHeader(const SnapshotHeader& h) { return Summed(h) + h.sha256; }

Result<SnapshotHeader> DecodeSnapshotHeader(std::string_view bytes) {
  if (bytes.size() < 8 || bytes.substr(0, 8) != std::string_view(kMagic, 8)) {
    return Status::InvalidArgument("not a kvraft snapshot file");
  }
  if (bytes.size() < kSnapshotHeaderBytes) {
    return Status::InvalidArgument("truncated: its header has " + std::to_string(bytes.size()) + " of " +
                                   std::to_string(kSnapshotHeaderBytes) + " bytes");
  }
  auto version = Get(bytes, 8, 4);
  if (version != kSnapshotFormatVersion) {
    return Status::InvalidArgument("snapshot format version " + std::to_string(version) +
                                   " (this kvraft reads version " + std::to_string(kSnapshotFormatVersion) + ")");
  }
  SnapshotHeader h;
  h.cluster_id = Get(bytes, 16, 8);
  h.member_id = Get(bytes, 24, 8);
  h.raft_index = Get(bytes, 32, 8);
  h.raft_term = Get(bytes, 40, 8);
  h.store_index = Get(bytes, 48, 8);
  h.taken_unix_ns = static_cast<int64_t>(Get(bytes, 56, 8));
  h.payload_bytes = Get(bytes, 64, 8);
  h.sha256 = std::string(bytes.substr(kSummedBytes, Sha256::kDigestBytes));
  return h;
}

Result<std::string> SnapshotChecksum(const SnapshotHeader& h, const std::string& payload_path,
                                     uint64_t payload_offset) {
  std::ifstream in(payload_path, std::ios::binary);
  if (!in) return Status::IOError("open " + payload_path + ": " + std::strerror(errno));
  in.seekg(static_cast<std::streamoff>(payload_offset));
  Sha256 sum;
  sum.Update(Summed(h));
  std::vector<char> buf(1 << 20);
  uint64_t left = h.payload_bytes;
  while (left > 0) {
    in.read(buf.data(), static_cast<std::streamsize>(std::min<uint64_t>(left, buf.size())));
    if (in.gcount() <= 0) break;
    sum.Update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
    left -= static_cast<uint64_t>(in.gcount());
  }
  if (left > 0) {
    return Status::InvalidArgument("truncated: " + std::to_string(h.payload_bytes - left) + " of " +
                                   std::to_string(h.payload_bytes) + " payload bytes");
  }
  return sum.Finish();
}

Result<SnapshotHeader> VerifySnapshotFile(const std::string& path) {
  auto fail = [&path](const Status& s) { return Status(s.code(), path + ": " + s.message()); };
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return Status::NotFound("open " + path + ": " + std::strerror(errno));
  const auto size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  std::string head(std::min<uint64_t>(size, kSnapshotHeaderBytes), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  auto h = DecodeSnapshotHeader(head);
  if (!h.ok()) return fail(h.status());
  if (size > kSnapshotHeaderBytes + h->payload_bytes) {
    return fail(Status::InvalidArgument("has " + std::to_string(size - kSnapshotHeaderBytes - h->payload_bytes) +
                                        " bytes after its end"));
  }
  auto sum = SnapshotChecksum(*h, path, kSnapshotHeaderBytes);
  if (!sum.ok()) return fail(sum.status());
  if (*sum != h->sha256) return fail(Status::InvalidArgument("damaged: its checksum does not match"));
  return h;
}

}  // namespace common
