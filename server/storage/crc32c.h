// CRC-32C (Castagnoli), the checksum of iSCSI, ext4 metadata and LevelDB:
// detects every burst error up to 32 bits, so any bit flip in a stored value.
#pragma once

#include <cstdint>
#include <string_view>

namespace storage {

// Extends `crc` (the CRC of what came before, 0 at the start) by `data`.
uint32_t Crc32c(std::string_view data, uint32_t crc = 0);

}  // namespace storage
