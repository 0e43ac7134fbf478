// RAFT_CHECK: an invariant assertion that stays on in release builds.
//
// A broken raft invariant (or a storage failure other than "compacted" or
// "unavailable") is a bug or a dead disk; continuing could break safety, so
// the process stops. Thread-safe (only writes to stderr and aborts).
#pragma once

#include <cstdio>
#include <cstdlib>

#define RAFT_CHECK(cond)                                                    \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "raft: invariant failed at %s:%d: %s\n", __FILE__, \
                   __LINE__, #cond);                                        \
      std::abort();                                                         \
    }                                                                       \
  } while (0)
