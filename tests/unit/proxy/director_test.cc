#include "server/proxy/director.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace std::chrono_literals;
using proxy::Director;

TEST_SUITE("proxy") {
  TEST_CASE("the director shuffles the endpoints it is given") {
    std::vector<std::string> urls;
    for (int i = 0; i < 8; ++i) urls.push_back("http://10.0.0." + std::to_string(i) + ":2379");
    Director d(5000ms, 1);
    d.Replace(urls);
    auto got = d.Available(Director::Clock::now());
    CHECK(got != urls);  // 1 in 40320 to be sorted by chance; the seed is fixed
    std::sort(got.begin(), got.end());
    CHECK(got == urls);
  }

  TEST_CASE("a failed endpoint is skipped for the failure wait, then tried again") {
    Director d(5000ms, 7);
    d.Replace({"http://a:1", "http://b:1"});
    auto t0 = Director::Clock::now();
    d.Failed("http://a:1", t0);
    CHECK(d.Available(t0) == std::vector<std::string>{"http://b:1"});
    CHECK(d.Available(t0 + 4999ms) == std::vector<std::string>{"http://b:1"});
    // A second failure while unavailable does not extend the wait (etcd).
    d.Failed("http://a:1", t0 + 4000ms);
    CHECK(d.Available(t0 + 5000ms).size() == 2);
    d.Failed("http://b:1", t0 + 5000ms);
    d.Failed("http://a:1", t0 + 5000ms);
    CHECK(d.Available(t0 + 6000ms).empty());
  }

  TEST_CASE("a refresh makes every endpoint available again and can empty the list") {
    Director d(5000ms, 3);
    d.Replace({"http://a:1"});
    auto now = Director::Clock::now();
    d.Failed("http://a:1", now);
    CHECK(d.Available(now).empty());
    d.Replace({"http://a:1"});
    CHECK(d.Available(now).size() == 1);
    d.Replace({});
    CHECK(d.Available(now).empty());
  }
}
