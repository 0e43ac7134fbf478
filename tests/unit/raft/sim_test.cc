// Deterministic simulation of raft clusters (see sim.h). 1,000 seeds run in
// the normal unit test run; more with KVRAFT_SIM_SEEDS=n (make sim SEEDS=n),
// one with KVRAFT_SIM_SEED=n.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "tests/unit/raft/sim.h"

namespace raft_test {
namespace {

volatile uint64_t g_seed = 0;

// raft stops the process on a broken invariant; say which seed did it.
void OnAbort(int) {
  char buf[128];
  char digits[24];
  int n = 0;
  uint64_t s = g_seed;
  do {
    digits[n++] = static_cast<char>('0' + s % 10);
    s /= 10;
  } while (s > 0);
  size_t len = 0;
  const char* head = "\nsim: aborted in seed ";
  std::memcpy(buf, head, std::strlen(head));
  len += std::strlen(head);
  while (n > 0) buf[len++] = digits[--n];
  const char* tail = "; replay with KVRAFT_SIM_SEED=<seed>\n";
  std::memcpy(buf + len, tail, std::strlen(tail));
  len += std::strlen(tail);
  ssize_t ignored = write(2, buf, len);
  (void)ignored;
  std::signal(SIGABRT, SIG_DFL);
  std::abort();
}

uint64_t EnvU64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

}  // namespace

TEST_SUITE("raft") {
TEST_CASE("simulation: under faults raft keeps its safety properties and recovers after healing") {
  uint64_t first = 1;
  uint64_t count = EnvU64("KVRAFT_SIM_SEEDS", 1000);
  if (std::getenv("KVRAFT_SIM_SEED")) {
    first = EnvU64("KVRAFT_SIM_SEED", 1);
    count = 1;
  }
  auto old = std::signal(SIGABRT, OnAbort);
  int failures = 0;
  for (uint64_t seed = first; seed < first + count && failures < 5; ++seed) {
    g_seed = seed;
    std::string err = Simulation(seed).Run();
    if (!err.empty()) {
      ++failures;
      FAIL_CHECK("seed " << seed << ": " << err << "\n  replay: KVRAFT_SIM_SEED=" << seed
                         << " build/bin/unit_tests -ts=raft -tc='simulation*'");
    }
  }
  std::signal(SIGABRT, old);
}
}

}  // namespace raft_test
