// Rng: a small deterministic PRNG (SplitMix64) injected into raft so that the
// same seed gives the same elections in tests and simulations.
// Not thread-safe: each raft node owns (or borrows) one from its loop thread.
#pragma once

#include <cstdint>

namespace raft {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n must be > 0. The modulo bias is negligible for the
  // small ranges raft and the tests use.
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // True with probability percent/100.
  bool Chance(uint64_t percent) { return Uniform(100) < percent; }

 private:
  uint64_t state_;
};

}  // namespace raft
