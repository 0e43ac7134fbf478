#include "common/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace common {

struct Sha256::Ctx {
  Ctx() : md(EVP_MD_CTX_new()) {
    // Allocation failure only: nothing can go on without a hash.
    if (md == nullptr || EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1) std::abort();
  }
  ~Ctx() { EVP_MD_CTX_free(md); }
  EVP_MD_CTX* md;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {}
Sha256::~Sha256() = default;

void Sha256::Update(std::string_view data) { EVP_DigestUpdate(ctx_->md, data.data(), data.size()); }

std::string Sha256::Finish() {
  std::string digest(kDigestBytes, '\0');
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_->md, reinterpret_cast<unsigned char*>(digest.data()), &n);
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
  return digest;
}

std::string Sha256::Of(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.Finish();
}

}  // namespace common
