#include "server/etcdserver/request.h"

#include "common/bytes.h"

namespace etcdserver {
namespace {
constexpr uint64_t kFormatVersion = 1;

// Bit positions of the boolean fields in one flags varint.
constexpr uint64_t kDir = 1 << 0, kHasPrevExist = 1 << 1, kPrevExist = 1 << 2, kWait = 1 << 3,
                   kRecursive = 1 << 4, kSorted = 1 << 5, kQuorum = 1 << 6, kStream = 1 << 7,
                   kHasRefresh = 1 << 8, kRefresh = 1 << 9;
}  // namespace

// Binary, in a fixed field order: values are arbitrary bytes and must come
// back exactly as proposed.
std::string Request::Encode() const {
  uint64_t flags = (dir ? kDir : uint64_t{0}) | (prev_exist ? kHasPrevExist : uint64_t{0}) |
                   (prev_exist.value_or(false) ? kPrevExist : uint64_t{0}) | (wait ? kWait : uint64_t{0}) |
                   (recursive ? kRecursive : uint64_t{0}) | (sorted ? kSorted : uint64_t{0}) | (quorum ? kQuorum : uint64_t{0}) |
                   (stream ? kStream : uint64_t{0}) | (refresh ? kHasRefresh : uint64_t{0}) |
                   (refresh.value_or(false) ? kRefresh : uint64_t{0});
  common::ByteWriter w;
  w.PutVarint(kFormatVersion);
  w.PutVarint(id);
  w.PutBytes(method);
  w.PutBytes(path);
  w.PutBytes(val);
  w.PutBytes(prev_value);
  w.PutVarint(prev_index);
  w.PutSigned(expiration_ns);
  w.PutVarint(since);
  w.PutSigned(time_ns);
  w.PutVarint(flags);
  return std::move(w.str());
}

std::optional<Request> Request::Decode(const std::string& bytes) {
  common::ByteReader rd(bytes);
  if (rd.GetVarint() != kFormatVersion) return std::nullopt;
  Request r;
  r.id = rd.GetVarint();
  r.method = rd.GetBytes();
  r.path = rd.GetBytes();
  r.val = rd.GetBytes();
  r.prev_value = rd.GetBytes();
  r.prev_index = rd.GetVarint();
  r.expiration_ns = rd.GetSigned();
  r.since = rd.GetVarint();
  r.time_ns = rd.GetSigned();
  uint64_t flags = rd.GetVarint();
  if (rd.failed() || !rd.done()) return std::nullopt;
  r.dir = flags & kDir;
  if (flags & kHasPrevExist) r.prev_exist = (flags & kPrevExist) != 0;
  r.wait = flags & kWait;
  r.recursive = flags & kRecursive;
  r.sorted = flags & kSorted;
  r.quorum = flags & kQuorum;
  r.stream = flags & kStream;
  if (flags & kHasRefresh) r.refresh = (flags & kRefresh) != 0;
  return r;
}

}  // namespace etcdserver
