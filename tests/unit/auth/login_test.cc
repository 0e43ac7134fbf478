// Passwords: bcrypt through crypt(3), and the login proofs that spare later
// requests the bcrypt, bound to the record they were checked against.
#include "server/auth/login.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

#include "server/auth/bcrypt.h"

using auth::LoginChecker;
using auth::Verdict;
using namespace std::chrono_literals;

namespace {

// Check() through to its verdict, however it comes.
Verdict CheckAndWait(LoginChecker& lc, const std::string& user, const std::string& pw, const std::string& hash,
                     const std::string& binding) {
  auto promise = std::make_shared<std::promise<Verdict>>();
  auto now = lc.Check(user, pw, hash, binding, [promise](Verdict v) { promise->set_value(v); });
  if (now) return *now;
  auto f = promise->get_future();
  REQUIRE(f.wait_for(30s) == std::future_status::ready);
  return f.get();
}

}  // namespace

TEST_SUITE("auth") {

TEST_CASE("bcrypt hashes are $2b$ cost 10, salted, and check only the right password") {
  auto h1 = auth::HashPassword("secret");
  auto h2 = auth::HashPassword("secret");
  REQUIRE(h1.ok());
  REQUIRE(h2.ok());
  CHECK(h1->rfind("$2b$10$", 0) == 0);
  CHECK(h1->size() == 60);
  CHECK(*h1 != *h2);
  CHECK(auth::CheckPassword(*h1, "secret"));
  CHECK_FALSE(auth::CheckPassword(*h1, "Secret"));
  CHECK_FALSE(auth::CheckPassword(*h1, ""));
  CHECK_FALSE(auth::CheckPassword("garbage", "secret"));
  CHECK_FALSE(auth::CheckPassword("", ""));
  // etcd 3.4's Go bcrypt writes $2a$: crypt(3) reads it (etcd's hash of "rootpw").
  const char* etcd_hash = "$2a$10$FU5xguPqQcuTxWqwUZS.h.CzA4o5f15MwM9XZ/HJEoZgnKocRQJzG";
  CHECK(auth::CheckPassword(etcd_hash, "rootpw"));
  CHECK_FALSE(auth::CheckPassword(etcd_hash, "rootpx"));
  // A NUL would cut the password short for crypt(3): refused both ways.
  CHECK_FALSE(auth::HashPassword(std::string("a\0b", 3)).ok());
  CHECK_FALSE(auth::CheckPassword(*h1, std::string("secret\0x", 8)));
}

TEST_CASE("a good login leaves a proof bound to the record; a wrong one is refused from then on") {
  LoginChecker lc;
  auto hash = auth::HashPassword("pw");
  REQUIRE(hash.ok());
  CHECK_FALSE(lc.Known("alice", "pw", "b1"));
  CHECK(CheckAndWait(lc, "alice", "pw", *hash, "b1") == Verdict::kGood);
  CHECK(lc.Known("alice", "pw", "b1") == Verdict::kGood);
  CHECK(lc.ProofCount() == 1);
  // Another password, another binding or another user proves nothing.
  CHECK_FALSE(lc.Known("alice", "pw2", "b1"));
  CHECK_FALSE(lc.Known("alice", "pw", "b2"));
  CHECK_FALSE(lc.Known("bob", "pw", "b1"));
  CHECK(CheckAndWait(lc, "alice", "wrong", *hash, "b1") == Verdict::kBad);
  CHECK(lc.Known("alice", "wrong", "b1") == Verdict::kBad);
  // The good proof survives a bad attempt.
  CHECK(lc.Known("alice", "pw", "b1") == Verdict::kGood);
  // A changed record (new binding) needs a bcrypt again, then proves anew.
  CHECK(CheckAndWait(lc, "alice", "pw", *hash, "b2") == Verdict::kGood);
  CHECK_FALSE(lc.Known("alice", "pw", "b1"));
}

TEST_CASE("identical checks in flight share one bcrypt; a full queue answers busy at once") {
  LoginChecker lc;
  auto hash = auth::HashPassword("pw");
  REQUIRE(hash.ok());
  std::mutex mu;
  std::condition_variable cv;
  int answered = 0, good = 0;
  for (int i = 0; i < 50; ++i) {
    auto now = lc.Check("u", "pw", *hash, "b", [&](Verdict v) {
      std::lock_guard<std::mutex> lock(mu);
      ++answered;
      good += v == Verdict::kGood;
      cv.notify_all();
    });
    if (now) {
      std::lock_guard<std::mutex> lock(mu);
      ++answered;
      good += *now == Verdict::kGood;
    }
  }
  std::unique_lock<std::mutex> lock(mu);
  REQUIRE(cv.wait_for(lock, 30s, [&] { return answered == 50; }));
  CHECK(good == 50);  // none was refused as busy: they waited on one job

  LoginChecker::Options none;
  none.max_queued_jobs = 0;
  LoginChecker full(none);
  bool ran = false;
  CHECK(full.Check("u", "pw", *hash, "b", [&](Verdict) { ran = true; }) == Verdict::kBusy);
  CHECK_FALSE(full.Hash("pw", [&](common::Result<std::string>) { ran = true; }));
  CHECK_FALSE(ran);
}

TEST_CASE("RunLater runs after the delay, on the worker") {
  LoginChecker lc;
  auto start = std::chrono::steady_clock::now();
  std::promise<std::chrono::steady_clock::time_point> ran;
  lc.RunLater(50ms, [&] { ran.set_value(std::chrono::steady_clock::now()); });
  auto f = ran.get_future();
  REQUIRE(f.wait_for(10s) == std::future_status::ready);
  CHECK(f.get() - start >= 50ms);
}

}  // TEST_SUITE
