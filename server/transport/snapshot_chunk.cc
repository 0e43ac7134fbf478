#include "server/transport/snapshot_chunk.h"

#include "common/bytes.h"
#include "common/sha256.h"

namespace transport {
namespace {

constexpr char kChunkVersion = 1;

}  // namespace

std::string EncodeSnapshotChunkHead(const SnapshotChunk& chunk) {
  common::ByteWriter w;
  w.str().push_back(kChunkVersion);
  w.PutVarint(chunk.upload);
  w.PutVarint(chunk.total);
  w.PutVarint(chunk.offset);
  w.PutBytes(chunk.digest);
  w.PutBytes(chunk.message);
  return std::move(w.str());
}

common::Result<SnapshotChunk> DecodeSnapshotChunk(std::string_view body) {
  auto bad = [](const char* what) { return common::Status::InvalidArgument(std::string("snapshot chunk: ") + what); };
  if (body.empty() || body[0] != kChunkVersion) return bad("unknown version");
  common::ByteReader r(body.substr(1));
  SnapshotChunk c;
  c.upload = r.GetVarint();
  c.total = r.GetVarint();
  c.offset = r.GetVarint();
  c.digest = r.GetBytes();
  c.message = r.GetBytes();
  if (r.failed()) return bad("malformed head");
  if (c.digest.size() != common::Sha256::kDigestBytes) return bad("digest is not a SHA-256");
  if (c.offset != 0 && !c.message.empty()) return bad("message outside the first chunk");
  if (c.offset == 0 && c.message.empty()) return bad("first chunk without its message");
  c.data = r.rest();
  if (c.offset > c.total || c.data.size() > c.total - c.offset) return bad("data past the total size");
  return c;
}

}  // namespace transport
