#include "server/auth/login.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "common/log.h"
#include "common/thread_name.h"
#include "server/auth/bcrypt.h"

namespace auth {
namespace {

constexpr size_t kMaxGoodProofs = 65536;  // one per user name; forgotten all at once past this

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// SHA-256, fetched once: an implicit fetch per digest takes a global lock.
const EVP_MD* Sha256() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

void UpdateLengthPrefixed(EVP_MD_CTX* c, std::string_view s) {
  const uint64_t n = s.size();
  EVP_DigestUpdate(c, &n, sizeof(n));
  EVP_DigestUpdate(c, s.data(), s.size());
}

}  // namespace

LoginChecker::LoginChecker() : LoginChecker(Options()) {}

LoginChecker::LoginChecker(Options options) : options_(options) {
  unsigned char key[32];
  if (RAND_bytes(key, sizeof(key)) != 1 || Sha256() == nullptr) {
    // Without randomness or SHA-256 no proof can be trusted: a broken host.
    KV_LOG(kError, "auth") << "no random key or SHA-256 for login proofs";
    std::abort();
  }
  inner_pad_.fill(0x36);
  outer_pad_.fill(0x5c);
  for (size_t i = 0; i < sizeof(key); ++i) {
    inner_pad_[i] ^= key[i];
    outer_pad_[i] ^= key[i];
  }
  OPENSSL_cleanse(key, sizeof(key));
  worker_ = std::thread([this] { Run(); });
}

LoginChecker::~LoginChecker() {
  std::map<Proof, std::vector<std::function<void(Verdict)>>> pending;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> delayed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.clear();
    pending.swap(pending_);
    delayed.swap(delayed_);
  }
  for (auto& [proof, waiters] : pending) {
    for (auto& done : waiters) done(Verdict::kBusy);
  }
  for (auto& [when, fn] : delayed) fn();
  OPENSSL_cleanse(inner_pad_.data(), inner_pad_.size());
  OPENSSL_cleanse(outer_pad_.data(), outer_pad_.size());
}

size_t LoginChecker::ProofHash::operator()(const Proof& p) const {
  size_t h;
  std::memcpy(&h, p.data(), sizeof(h));
  return h;
}

// HMAC-SHA256 (RFC 2104) over length-prefixed fields, so no two different
// (user, password, binding) triples feed the same bytes.
LoginChecker::Proof LoginChecker::MakeProof(std::string_view user, std::string_view password,
                                            std::string_view binding) const {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  EVP_MD_CTX* c = ctx.get();
  unsigned char inner[32];
  unsigned int n = 0;
  Proof out{};
  EVP_DigestInit_ex(c, Sha256(), nullptr);
  EVP_DigestUpdate(c, inner_pad_.data(), inner_pad_.size());
  UpdateLengthPrefixed(c, user);
  UpdateLengthPrefixed(c, password);
  UpdateLengthPrefixed(c, binding);
  EVP_DigestFinal_ex(c, inner, &n);
  EVP_DigestInit_ex(c, Sha256(), nullptr);
  EVP_DigestUpdate(c, outer_pad_.data(), outer_pad_.size());
  EVP_DigestUpdate(c, inner, sizeof(inner));
  EVP_DigestFinal_ex(c, out.data(), &n);
  return out;
}

std::optional<Verdict> LoginChecker::KnownProof(std::string_view user, const Proof& proof) const {
  std::shared_lock<std::shared_mutex> lock(proofs_mu_);
  auto it = good_.find(std::string(user));
  if (it != good_.end() && CRYPTO_memcmp(it->second.data(), proof.data(), proof.size()) == 0) {
    return Verdict::kGood;
  }
  if (bad_.count(proof)) return Verdict::kBad;
  return std::nullopt;
}

std::optional<Verdict> LoginChecker::Known(std::string_view user, std::string_view password,
                                           std::string_view binding) const {
  return KnownProof(user, MakeProof(user, password, binding));
}

std::optional<Verdict> LoginChecker::Check(std::string_view user, std::string_view password,
                                           const std::string& hash, std::string_view binding,
                                           std::function<void(Verdict)> done) {
  const Proof proof = MakeProof(user, password, binding);
  if (auto known = KnownProof(user, proof)) return known;
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || waiters_ >= options_.max_waiters) return Verdict::kBusy;
  auto it = pending_.find(proof);
  if (it != pending_.end()) {
    it->second.push_back(std::move(done));
    ++waiters_;
    return std::nullopt;
  }
  if (jobs_.size() >= options_.max_queued_jobs) return Verdict::kBusy;
  pending_[proof].push_back(std::move(done));
  ++waiters_;
  jobs_.push_back(Job{[this, proof, user = std::string(user), password = std::string(password), hash]() mutable {
    const bool good = CheckPassword(hash, password);
    OPENSSL_cleanse(password.data(), password.size());
    Finish(proof, user, good);
  }});
  cv_.notify_one();
  return std::nullopt;
}

void LoginChecker::Finish(const Proof& proof, const std::string& user, bool good) {
  {
    std::unique_lock<std::shared_mutex> lock(proofs_mu_);
    if (good) {
      if (good_.size() >= kMaxGoodProofs) good_.clear();
      good_[user] = proof;
    } else {
      if (bad_.size() >= options_.max_bad_proofs) bad_.clear();
      bad_.insert(proof);
    }
  }
  std::vector<std::function<void(Verdict)>> waiters;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(proof);
    if (it != pending_.end()) {
      waiters.swap(it->second);
      pending_.erase(it);
      waiters_ -= waiters.size();
    }
  }
  for (auto& done : waiters) done(good ? Verdict::kGood : Verdict::kBad);
}

bool LoginChecker::Hash(std::string password, std::function<void(common::Result<std::string>)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || jobs_.size() >= options_.max_queued_jobs) return false;
  jobs_.push_back(Job{[password = std::move(password), done = std::move(done)]() mutable {
    auto hash = HashPassword(password);
    OPENSSL_cleanse(password.data(), password.size());
    done(std::move(hash));
  }});
  cv_.notify_one();
  return true;
}

void LoginChecker::RunLater(std::chrono::milliseconds delay, std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && delayed_.size() < options_.max_delayed) {
      delayed_.emplace(std::chrono::steady_clock::now() + delay, std::move(fn));
      cv_.notify_one();
      return;
    }
  }
  fn();
}

size_t LoginChecker::ProofCount() const {
  std::shared_lock<std::shared_mutex> lock(proofs_mu_);
  return good_.size();
}

void LoginChecker::Run() {
  common::SetThreadName("auth-bcrypt");
  // Only this thread: on Linux a thread's nice value is its own.
  if (options_.nice != 0 && setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice) != 0) {
    KV_LOG(kWarn, "auth") << "could not lower the password checker's priority";
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::function<void()>> due;
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      due.push_back(std::move(delayed_.begin()->second));
      delayed_.erase(delayed_.begin());
    }
    if (!due.empty()) {
      lock.unlock();
      for (auto& fn : due) fn();
      lock.lock();
      continue;
    }
    if (!jobs_.empty()) {
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job.run();
      lock.lock();
      continue;
    }
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, delayed_.begin()->first);
    }
  }
}

}  // namespace auth
