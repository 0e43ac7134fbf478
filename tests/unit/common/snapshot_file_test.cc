// The snapshot file's header and checks: what `kvraftctl snapshot save`
// keeps and `snapshot restore` accepts.
#include "common/snapshot_file.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace common {
namespace {

SnapshotHeader Header(const std::string& payload_path) {
  SnapshotHeader h;
  h.cluster_id = 0x1122334455667788ULL;
  h.member_id = 0xabcdefULL;
  h.raft_index = 1234;
  h.raft_term = 7;
  h.store_index = 999;
  h.taken_unix_ns = 1700000000123456789LL;
  std::ifstream in(payload_path, std::ios::binary | std::ios::ate);
  h.payload_bytes = static_cast<uint64_t>(in.tellg());
  h.sha256 = SnapshotChecksum(h, payload_path, 0).value();
  return h;
}

struct Files {
  std::string payload = "/tmp/kvraft-snapfile-payload-" + std::to_string(::getpid());
  std::string file = "/tmp/kvraft-snapfile-" + std::to_string(::getpid());
  ~Files() {
    std::remove(payload.c_str());
    std::remove(file.c_str());
  }
  void Write(const std::string& path, const std::string& bytes) const {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  std::string Whole(const std::string& bytes) {
    Write(payload, bytes);
    return EncodeSnapshotHeader(Header(payload)) + bytes;
  }
  std::string Error(const std::string& bytes) {
    Write(file, bytes);
    auto h = VerifySnapshotFile(file);
    REQUIRE_FALSE(h.ok());
    return h.status().message();
  }
};

TEST_SUITE("common") {
  TEST_CASE("snapshot file: a whole file verifies and gives its header back") {
    Files f;
    std::string whole = f.Whole(std::string(5000, 'p') + "payload");
    CHECK(whole.size() == kSnapshotHeaderBytes + 5007);
    CHECK(whole.compare(0, 8, "KVRAFTSN") == 0);
    f.Write(f.file, whole);
    auto h = VerifySnapshotFile(f.file);
    REQUIRE(h.ok());
    CHECK(h->cluster_id == 0x1122334455667788ULL);
    CHECK(h->member_id == 0xabcdefULL);
    CHECK(h->raft_index == 1234);
    CHECK(h->raft_term == 7);
    CHECK(h->store_index == 999);
    CHECK(h->taken_unix_ns == 1700000000123456789LL);
    CHECK(h->payload_bytes == 5007);
  }

  TEST_CASE("snapshot file: every kind of damage is refused, naming the file and the fault") {
    Files f;
    const std::string whole = f.Whole(std::string(3000, 'q'));
    CHECK(f.Error(whole.substr(0, whole.size() - 1)) == f.file + ": truncated: 2999 of 3000 payload bytes");
    CHECK(f.Error(whole.substr(0, 60)) == f.file + ": truncated: its header has 60 of 104 bytes");
    CHECK(f.Error(whole + "x") == f.file + ": has 1 bytes after its end");
    CHECK(f.Error("") == f.file + ": not a kvraft snapshot file");
    CHECK(f.Error("SQLite format 3" + whole.substr(15)) == f.file + ": not a kvraft snapshot file");
    for (size_t at : {size_t{20}, size_t{40}, size_t{80}, kSnapshotHeaderBytes + 1500}) {
      std::string bad = whole;
      bad[at] ^= 0x10;  // a field, the checksum itself, the payload
      CHECK_MESSAGE(f.Error(bad) == f.file + ": damaged: its checksum does not match", at);
    }
    std::string v2 = whole;
    v2[8] = 2;
    CHECK(f.Error(v2) == f.file + ": snapshot format version 2 (this kvraft reads version 1)");
    CHECK(VerifySnapshotFile(f.file + ".none").status().code() == Code::kNotFound);
  }
}

}  // namespace
}  // namespace common
