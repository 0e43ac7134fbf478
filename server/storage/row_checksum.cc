#include "server/storage/row_checksum.h"

#include <string>

#include "server/storage/crc32c.h"

namespace storage {
namespace {

// Fixed-width fields, then a length before each byte string, so no two rows
// that differ encode alike.
class Summer {
 public:
  Summer& U64(uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    crc_ = Crc32c(std::string_view(b, 8), crc_);
    return *this;
  }
  Summer& Bytes(const std::string& s) {
    U64(s.size());
    crc_ = Crc32c(s, crc_);
    return *this;
  }
  uint32_t crc() const { return crc_; }

 private:
  uint32_t crc_ = 0;
};

}  // namespace

uint32_t RowChecksum(const LogEntry& e) {
  return Summer().U64(e.index).U64(e.term).U64(static_cast<uint64_t>(e.type)).Bytes(e.data).crc();
}

uint32_t RowChecksum(const HardState& hs) { return Summer().U64(hs.term).U64(hs.vote).U64(hs.commit).crc(); }

uint32_t RowChecksum(const SnapshotRecord& snap) {
  return Summer().U64(snap.index).U64(snap.term).Bytes(snap.conf_state).Bytes(snap.data).crc();
}

}  // namespace storage
