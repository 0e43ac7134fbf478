// Blocked stop signals (taken with sigwait) that are already pending: how a
// long wait before the main loop (discovery, DNS) learns it should give up.
// Thread-safe: reads the process's pending set.
#pragma once

#include <signal.h>

namespace common {

// True when one of `signals` (blocked in every thread) is pending.
inline bool AnyPending(const sigset_t& signals) {
  sigset_t pending;
  sigpending(&pending);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sigismember(&signals, sig) == 1 && sigismember(&pending, sig) == 1) return true;
  }
  return false;
}

}  // namespace common
