// The file `kvraftctl snapshot save` writes and `kvraftctl snapshot restore`
// reads: a fixed header, then a consistent copy of a member's database (see
// server/storage/db_copy.h). Integers are little-endian:
//
//   offset size
//        0    8  magic "KVRAFTSN"
//        8    4  format version (1)
//       12    4  zero
//       16    8  cluster id
//       24    8  id of the member it was taken from
//       32    8  raft index: the copy holds the cluster's state after this entry
//       40    8  raft term of that entry
//       48    8  store index (X-Etcd-Index) after that entry
//       56    8  when it was taken, Unix nanoseconds
//       64    8  payload bytes
//       72   32  SHA-256 of bytes 0-71 and then the payload
//      104       payload
//
// Shared by the CLI, which checks what it downloaded, and the server, which
// writes the header and restores from the file. Pure functions but for the
// file reads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace common {

inline constexpr size_t kSnapshotHeaderBytes = 104;
inline constexpr uint32_t kSnapshotFormatVersion = 1;

struct SnapshotHeader {
  uint64_t cluster_id = 0;
  uint64_t member_id = 0;
  uint64_t raft_index = 0;
  uint64_t raft_term = 0;
  uint64_t store_index = 0;
  int64_t taken_unix_ns = 0;
  uint64_t payload_bytes = 0;
  std::string sha256;  // 32 bytes
};

// The 104 header bytes (sha256 must be set).
std::string EncodeSnapshotHeader(const SnapshotHeader& h);
// Reads a header from the first bytes of a file: InvalidArgument for a file
// that is not a kvraft snapshot or of another format version. The checksum
// is not checked here.
Result<SnapshotHeader> DecodeSnapshotHeader(std::string_view bytes);
// SHA-256 of the header's first 72 bytes (from `h`) and the file at
// payload_path, which must hold h.payload_bytes bytes from payload_offset on.
Result<std::string> SnapshotChecksum(const SnapshotHeader& h, const std::string& payload_path,
                                     uint64_t payload_offset);
// Reads and checks a whole snapshot file: its header, its length and its
// checksum. The error is one line naming the file and what is wrong.
Result<SnapshotHeader> VerifySnapshotFile(const std::string& path);

}  // namespace common
