#include "server/auth/bcrypt.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <memory>

namespace auth {
namespace {

constexpr int kSaltBytes = 16;  // bcrypt's salt is 128 bits

// crypt_r's scratch space is ~32 KB: one per thread, on the heap.
crypt_data* Scratch() {
  thread_local std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();
  return data.get();
}

// crypt_r on a NUL-terminated copy; nullopt on failure (crypt returns NULL
// or a string starting with '*' for a setting it cannot use).
std::optional<std::string> Crypt(std::string_view password, const std::string& setting) {
  std::string phrase(password);
  crypt_data* data = Scratch();
  const char* out = crypt_r(phrase.c_str(), setting.c_str(), data);
  OPENSSL_cleanse(phrase.data(), phrase.size());
  if (out == nullptr || out[0] == '*') return std::nullopt;
  std::string result(out);
  OPENSSL_cleanse(data, sizeof(*data));
  return result;
}

}  // namespace

common::Result<std::string> HashPassword(std::string_view password) {
  if (password.find('\0') != std::string_view::npos) {
    return common::Status::InvalidArgument("a password may not hold a NUL byte");
  }
  unsigned char random[kSaltBytes];
  if (RAND_bytes(random, sizeof(random)) != 1) return common::Status::Internal("no random bytes for a salt");
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", kBcryptCost, reinterpret_cast<const char*>(random), sizeof(random), setting,
                       sizeof(setting)) == nullptr) {
    return common::Status::Internal("crypt_gensalt_rn refused the bcrypt setting");
  }
  auto hash = Crypt(password, setting);
  if (!hash) return common::Status::Internal("crypt_r failed to hash a password");
  return *hash;
}

bool CheckPassword(std::string_view hash, std::string_view password) {
  if (hash.size() < 4 || hash.substr(0, 2) != "$2") return false;
  if (password.find('\0') != std::string_view::npos) return false;
  auto got = Crypt(password, std::string(hash));
  return got && got->size() == hash.size() && CRYPTO_memcmp(got->data(), hash.data(), hash.size()) == 0;
}

}  // namespace auth
