// Go durations read as time.ParseDuration (Go 1.19, as in etcd 3.4.23) reads them; the
// error texts are those etcdctl v3's --command-timeout prints.
#include "common/time_format.h"

#include <doctest/doctest.h>

namespace common {
namespace {

int64_t Nanos(const std::string& s) {
  Result<std::chrono::nanoseconds> d = ParseGoDuration(s);
  REQUIRE_MESSAGE(d.ok(), s, ": ", d.status().message());
  return d->count();
}

std::string Error(const std::string& s) { return ParseGoDuration(s).status().message(); }

TEST_SUITE("common") {
  TEST_CASE("go durations: units, fractions, signs and sums") {
    CHECK(Nanos("2s") == 2000000000);
    CHECK(Nanos("1m30s") == 90000000000);
    CHECK(Nanos("1.5h") == 5400000000000);
    CHECK(Nanos("1.5ms") == 1500000);
    CHECK(Nanos("250ms") == 250000000);
    CHECK(Nanos("7ns") == 7);
    CHECK(Nanos("1us") == 1000);
    CHECK(Nanos("1\xC2\xB5s") == 1000);  // micro sign
    CHECK(Nanos("1\xCE\xBCs") == 1000);  // Greek mu
    CHECK(Nanos("1h2m3s4ms5us6ns") == 3723004005006);
    CHECK(Nanos(".5s") == 500000000);
    CHECK(Nanos("5.s") == 5000000000);
    CHECK(Nanos("1.000000001s") == 1000000001);
    CHECK(Nanos("1.9999999999999999999999s") == 2000000000);  // digits past 18 dropped, then double rounding
    CHECK(Nanos("-1.5ms") == -1500000);
    CHECK(Nanos("+5s") == 5000000000);
    CHECK(Nanos("0") == 0);
    CHECK(Nanos("-0") == 0);
    CHECK(Nanos("9223372036854775807ns") == INT64_MAX);
    CHECK(Nanos("-9223372036854775808ns") == INT64_MIN);
  }

  TEST_CASE("go durations: errors carry time's texts") {
    CHECK(Error("") == "time: invalid duration \"\"");
    CHECK(Error("x") == "time: invalid duration \"x\"");
    CHECK(Error("-") == "time: invalid duration \"-\"");
    CHECK(Error(".s") == "time: invalid duration \".s\"");
    CHECK(Error("a\"b") == "time: invalid duration \"a\\\"b\"");
    CHECK(Error("5") == "time: missing unit in duration \"5\"");
    CHECK(Error("1.2.3s") == "time: missing unit in duration \"1.2.3s\"");
    CHECK(Error("1s2") == "time: missing unit in duration \"1s2\"");
    CHECK(Error("5d") == "time: unknown unit \"d\" in duration \"5d\"");
    CHECK(Error("1e3s") == "time: unknown unit \"e\" in duration \"1e3s\"");
    CHECK(Error("9223372036854775808ns") == "time: invalid duration \"9223372036854775808ns\"");
    CHECK(Error("18446744073709551616ns") == "time: invalid duration \"18446744073709551616ns\"");
    CHECK(Error("3000000h") == "time: invalid duration \"3000000h\"");
  }

  TEST_CASE("go durations: what FormatGoDuration writes reads back") {
    for (int64_t ns : {int64_t{0}, int64_t{1500}, int64_t{659322358947}, int64_t{-7200000000000}}) {
      CHECK(Nanos(FormatGoDuration(ns)) == ns);
    }
  }
}

}  // namespace
}  // namespace common
