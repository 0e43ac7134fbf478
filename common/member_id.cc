// Member and cluster ID hashing (SHA1 via OpenSSL).
#include "common/member_id.h"

#include <openssl/sha.h>

#include <algorithm>

namespace common {
namespace {

uint64_t First8BigEndian(const std::string& bytes) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | digest[i];
  return id;
}

}  // namespace

uint64_t MemberId(const std::vector<Url>& peer_urls, const std::string& token,
                  std::optional<int64_t> now_unix_seconds) {
  std::string b;
  for (const std::string& u : SortedUrlStrings(peer_urls)) b += u;
  b += token;
  if (now_unix_seconds) b += std::to_string(*now_unix_seconds);
  return First8BigEndian(b);
}

uint64_t ClusterId(std::vector<uint64_t> member_ids) {
  std::sort(member_ids.begin(), member_ids.end());
  std::string b;
  for (uint64_t id : member_ids) {
    for (int shift = 56; shift >= 0; shift -= 8) b += static_cast<char>((id >> shift) & 0xff);
  }
  return First8BigEndian(b);
}

std::string FormatId(uint64_t id) {
  static const char kDigits[] = "0123456789abcdef";
  char buf[16];  // 64 bits are at most 16 hex digits
  char* begin = buf + sizeof(buf);
  do {
    *--begin = kDigits[id & 0xf];
    id >>= 4;
  } while (id != 0);
  return std::string(begin, buf + sizeof(buf));
}

Result<uint64_t> ParseId(const std::string& hex) {
  if (hex.empty()) return Status::InvalidArgument("invalid ID \"\"");
  uint64_t id = 0;
  size_t significant = 0;  // digits after the leading zeros
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else return Status::InvalidArgument("invalid ID \"" + hex + "\"");
    if (significant > 0 || v != 0) ++significant;
    id = (id << 4) | static_cast<uint64_t>(v);
  }
  if (significant > 16) return Status::InvalidArgument("ID out of range \"" + hex + "\"");
  return id;
}

}  // namespace common
