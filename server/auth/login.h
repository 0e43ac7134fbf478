// Password checks that cost a keyed hash, not a bcrypt, after the first one.
//
// A good bcrypt check leaves a proof: HMAC-SHA256, under a random key made
// when the process starts, of the user name, the presented password and the
// user record it was checked against (its hash and versions, the "binding").
// Later requests with the same password hash again and compare in constant
// time; a proof stops matching as soon as the binding changes (the user, its
// roles or the auth switch), and the password itself is never kept. A bad
// check leaves a proof too, so a repeated wrong password is refused at once.
//
// bcrypt runs on one worker thread at a low CPU priority (nice 10: about a
// tenth of a core when the I/O threads want the CPU, all of an idle one),
// fed by a bounded queue (identical checks in flight share one job): a flood
// of bad logins slows only itself, and a first login on a saturated member
// still takes well under a second. The same thread runs delayed callbacks, which
// the API uses to answer failed logins late (a tarpit that holds no thread).
//
// Threads: every public method is safe from any thread. Callbacks run on the
// worker thread and must not block.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace auth {

enum class Verdict { kGood, kBad, kBusy };

class LoginChecker {
 public:
  struct Options {
    size_t max_queued_jobs = 32;      // distinct bcrypt jobs waiting; more -> kBusy
    size_t max_waiters = 4096;        // requests waiting on those jobs; more -> kBusy
    size_t max_delayed = 65536;       // delayed callbacks; more run at once
    size_t max_bad_proofs = 4096;     // remembered wrong passwords (forgotten all at once)
    int nice = 10;                    // the worker thread's nice value (0: unchanged)
  };
  LoginChecker();
  explicit LoginChecker(Options options);
  ~LoginChecker();  // runs what is still queued with kBusy / at once, joins
  LoginChecker(const LoginChecker&) = delete;
  LoginChecker& operator=(const LoginChecker&) = delete;

  // What a proof says about `password` for `user` bound to `binding`, with no
  // bcrypt: kGood, kBad, or nullopt when nothing is known yet.
  std::optional<Verdict> Known(std::string_view user, std::string_view password, std::string_view binding) const;

  // Whether `password` is `user`'s, whose stored bcrypt hash is `hash` and
  // whose record is described by `binding`. Answers at once from a proof
  // (kGood or kBad), or kBusy when the queue is full; otherwise returns
  // nullopt and calls `done` once, on the worker thread, after the bcrypt.
  std::optional<Verdict> Check(std::string_view user, std::string_view password, const std::string& hash,
                               std::string_view binding, std::function<void(Verdict)> done);

  // Hashes a new password on the worker. False (and `done` never runs) when
  // the queue is full.
  bool Hash(std::string password, std::function<void(common::Result<std::string>)> done);

  // Runs `fn` on the worker thread `delay` from now (at once when too many
  // are waiting).
  void RunLater(std::chrono::milliseconds delay, std::function<void()> fn);

  // Proofs held (good ones): for tests.
  size_t ProofCount() const;

 private:
  using Proof = std::array<unsigned char, 32>;
  struct ProofHash {
    size_t operator()(const Proof& p) const;
  };
  struct Job {
    std::function<void()> run;  // the bcrypt and its answers
  };

  Proof MakeProof(std::string_view user, std::string_view password, std::string_view binding) const;
  std::optional<Verdict> KnownProof(std::string_view user, const Proof& proof) const;
  void Finish(const Proof& proof, const std::string& user, bool good);
  void Run();

  const Options options_;
  std::array<unsigned char, 64> inner_pad_{}, outer_pad_{};  // the HMAC key, padded (set once)

  mutable std::shared_mutex proofs_mu_;
  std::unordered_map<std::string, Proof> good_;       // user -> last good proof; guarded by proofs_mu_
  std::unordered_set<Proof, ProofHash> bad_;          // guarded by proofs_mu_

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;                                                  // guarded by mu_
  std::map<Proof, std::vector<std::function<void(Verdict)>>> pending_;   // guarded by mu_
  size_t waiters_ = 0;                                                    // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> delayed_;  // guarded by mu_
  bool stopping_ = false;                                                 // guarded by mu_
  std::thread worker_;
};

}  // namespace auth
