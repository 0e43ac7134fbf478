// Deterministic simulation of raft clusters (see sim.h). 1,000 seeds run in
// the normal unit test run; more with KVRAFT_SIM_SEEDS=n (make sim SEEDS=n),
// one with KVRAFT_SIM_SEED=n; KVRAFT_SIM_TRACE=1 prints every Ready (and, in
// async mode, when writes become durable).
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
  // KVRAFT_SIM_SEED alone replays one seed; with KVRAFT_SIM_SEEDS it is the
  // first of a range.
  uint64_t first = EnvU64("KVRAFT_SIM_SEED", 1);
  uint64_t count = EnvU64("KVRAFT_SIM_SEEDS", std::getenv("KVRAFT_SIM_SEED") ? 1 : 1000);
  auto old = std::signal(SIGABRT, OnAbort);
  int failures = 0;
  SimStats total;
  for (uint64_t seed = first; seed < first + count && failures < 5; ++seed) {
    g_seed = seed;
    Simulation sim(seed);
    std::string err = sim.Run();
    total.Add(sim.stats());
    if (!err.empty()) {
      ++failures;
      FAIL_CHECK("seed " << seed << ": " << err << "\n  replay: KVRAFT_SIM_SEED=" << seed
                         << " build/bin/unit_tests -ts=raft -tc='simulation*'");
    }
  }
  std::signal(SIGABRT, old);
  MESSAGE("sim: " << count << " seeds, " << total.applied_proposals << " proposals applied, "
                  << total.leaders_elected << " leaders, " << total.crashes << " crashes, "
                  << total.snapshots_installed << " snapshots installed, "
                  << total.conf_changes_applied << " conf changes, " << total.reads_answered
                  << " reads answered; async: " << total.async_nodes << " nodes, "
                  << total.writes_completed << " writes done, " << total.writes_lost
                  << " lost in crashes, " << total.applied_before_durable
                  << " entries applied before the local write was durable, "
                  << total.committed_before_leader_durable
                  << " committed before the leader's own write was");
  if (count >= 100) {
    // The faults must not have made the run vacuous: every feature was used.
    CHECK(total.applied_proposals > count * 5);
    CHECK(total.leaders_elected > count);
    CHECK(total.snapshots_installed > 0);
    CHECK(total.conf_changes_applied > 0);
    CHECK(total.reads_answered > 0);
    // Async mode ran and hit its windows.
    CHECK(total.async_nodes > count);
    CHECK(total.writes_lost > 0);
    CHECK(total.applied_before_durable > count);
    CHECK(total.committed_before_leader_durable > 0);
  }
}
}

}  // namespace raft_test
