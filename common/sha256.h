// SHA-256 over data given in pieces (OpenSSL's EVP interface). Not
// thread-safe; one hash per object.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace common {

class Sha256 {
 public:
  static constexpr size_t kDigestBytes = 32;
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // The 32-byte digest of everything given; the object starts over after.
  std::string Finish();

  static std::string Of(std::string_view data);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace common
