// The wire form of one piece of a snapshot upload (POST /raft/snapshot).
// A MsgSnap travels as chunks of its store data, each its own request, so
// neither side holds one body of the whole snapshot:
//
//   chunk = version:byte(1) upload:varint total:varint offset:varint
//           digest:bytes message:bytes data:rest-of-body
//
// `upload` names one upload (the sender picks it at random), `total` is the
// size of the whole data and `offset` where this chunk's data starts;
// `digest` is the SHA-256 of the whole data, in every chunk. `message` is
// the MsgSnap itself with empty snapshot data, encoded as a batch of one
// (EncodeMessages), in the first chunk (offset 0) only. `bytes` is a varint
// length then the raw bytes, as in codec.cc. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace transport {

struct SnapshotChunk {
  uint64_t upload = 0;
  uint64_t total = 0;
  uint64_t offset = 0;
  std::string digest;
  std::string message;    // first chunk only
  std::string_view data;  // Decode: a view into the decoded body
};

// Everything but `data`, which follows it in the body.
std::string EncodeSnapshotChunkHead(const SnapshotChunk& chunk);
// Fails on a malformed head, an unknown version, a digest that is not 32
// bytes, a message outside the first chunk, or data past `total`.
common::Result<SnapshotChunk> DecodeSnapshotChunk(std::string_view body);

}  // namespace transport
