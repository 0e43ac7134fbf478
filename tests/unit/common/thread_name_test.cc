#include "common/thread_name.h"

#include <doctest/doctest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace {

// Names a new thread and reads the name back from inside it, as top and gdb do.
std::string NameOnNewThread(const std::string& name) {
  std::string seen;
  std::thread([&] {
    common::SetThreadName(name);
    char buf[64] = {};
    if (pthread_getname_np(pthread_self(), buf, sizeof buf) == 0) seen = buf;
  }).join();
  return seen;
}

TEST_SUITE("common") {
  TEST_CASE("SetThreadName names the calling thread") {
    CHECK(NameOnNewThread("wal-ckpt") == "wal-ckpt");
    CHECK(NameOnNewThread("exactly-15-char") == "exactly-15-char");
  }

  TEST_CASE("SetThreadName cuts names longer than 15 characters") {
    CHECK(NameOnNewThread("peer-8e9e05c52164694d") == "peer-8e9e05c521");
  }

  TEST_CASE("SetThreadName leaves other threads' names alone") {
    char before[64] = {};
    REQUIRE(pthread_getname_np(pthread_self(), before, sizeof before) == 0);
    NameOnNewThread("other");
    char after[64] = {};
    REQUIRE(pthread_getname_np(pthread_self(), after, sizeof after) == 0);
    CHECK(std::string(after) == before);
  }
}

}  // namespace
