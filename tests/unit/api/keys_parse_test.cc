// /v2/keys request parsing: every row of the validation order (keys-api.md
// §2.2), parameter parsing, TTL arithmetic and the resulting etcdserver
// request. Each expectation is what etcd 3.4.23 answered; $E is its client
// URL (errors there are HTTP 400 with "index":0).
#include "server/api/keys_parse.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

namespace {

constexpr int64_t kNow = 1795309020123456789;  // 2026-11-22T00:57:00.123456789Z
constexpr int64_t kSecond = 1000000000;

// A request as curl sends it: `-d body` adds the form Content-Type.
http::Request Req(std::string method, std::string query, std::string body = "") {
  http::Request r;
  r.method = std::move(method);
  r.path = "/v2/keys/k";
  r.query = std::move(query);
  if (!body.empty()) r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  r.body = std::move(body);
  return r;
}

store::V2Result<api::KeysRequest> Parse(const http::Request& r, const std::string& key = "/k") {
  return api::ParseKeysRequest(r, key, kNow);
}

// "code cause" of a failed parse, or "ok".
std::string Failure(const http::Request& r) {
  auto res = Parse(r);
  if (res.ok()) return "ok";
  CHECK(res.error().index == 0);
  return std::to_string(res.error().code) + " " + res.error().cause;
}

etcdserver::Request Ok(const http::Request& r, const std::string& key = "/k") {
  auto res = Parse(r, key);
  REQUIRE_MESSAGE(res.ok(), res.error().cause);
  return res.value().req;
}

}  // namespace

TEST_SUITE("api") {

TEST_CASE("validation order: each check, and the one before it winning") {
  // Row 1, form: curl "$E/v2/keys/v?prevIndex=x&x=%zz"
  CHECK(Failure(Req("GET", "prevIndex=x&x=%zz")) == R"(210 invalid URL escape "%zz")");
  // Row 2: curl "$E/v2/keys/v?prevIndex=-1&waitIndex=x&recursive=x"
  CHECK(Failure(Req("GET", "prevIndex=-1&waitIndex=x&recursive=x")) ==
        R"(203 invalid value for "prevIndex")");
  // Row 3: curl "$E/v2/keys/v?waitIndex=+1&recursive=x"
  CHECK(Failure(Req("GET", "waitIndex=+1&recursive=x")) == R"(203 invalid value for "waitIndex")");
  // Row 4, in order: recursive, sorted, wait, dir, quorum, stream
  // curl "$E/v2/keys/v?recursive=yes&sorted=x" ... "?stream=x"
  CHECK(Failure(Req("GET", "recursive=yes&sorted=x")) == R"(209 invalid value for "recursive")");
  CHECK(Failure(Req("GET", "sorted=&wait=x")) == R"(209 invalid value for "sorted")");
  CHECK(Failure(Req("GET", "wait=2&dir=x")) == R"(209 invalid value for "wait")");
  CHECK(Failure(Req("GET", "dir=tRUE&quorum=x")) == R"(209 invalid value for "dir")");
  CHECK(Failure(Req("GET", "quorum=x&stream=x")) == R"(209 invalid value for "quorum")");
  CHECK(Failure(Req("GET", "stream=x")) == R"(209 invalid value for "stream")");
  // curl -X PUT "$E/v2/keys/v?wait=true&stream=x": a bad bool beats row 5
  CHECK(Failure(Req("PUT", "wait=true&stream=x")) == R"(209 invalid value for "stream")");
  // Row 5: curl -X PUT "$E/v2/keys/v?wait=true&prevValue="
  CHECK(Failure(Req("PUT", "wait=true&prevValue=")) ==
        R"(209 "wait" can only be used with GET requests)");
  // Row 6: curl -X PUT "$E/v2/keys/v?wait=false&prevValue=&noValueOnSuccess=x"
  CHECK(Failure(Req("PUT", "wait=false&prevValue=&noValueOnSuccess=x")) ==
        R"(201 "prevValue" cannot be empty)");
  // Row 7: curl -X PUT "$E/v2/keys/v?noValueOnSuccess=x&ttl=x"
  CHECK(Failure(Req("PUT", "noValueOnSuccess=x&ttl=x")) ==
        R"(209 invalid value for "noValueOnSuccess")");
  // Row 8: curl -X PUT "$E/v2/keys/v?ttl=-1&prevExist=x"
  CHECK(Failure(Req("PUT", "ttl=-1&prevExist=x")) == R"(202 invalid value for "ttl")");
  // curl -X PUT "$E/v2/keys/v?ttl=x&refresh=true&value=1"
  CHECK(Failure(Req("PUT", "ttl=x&refresh=true&value=1")) == R"(202 invalid value for "ttl")");
  // Row 9: curl -X PUT "$E/v2/keys/v?ttl=&prevExist=x&refresh=x"
  CHECK(Failure(Req("PUT", "ttl=&prevExist=x&refresh=x")) == "209 invalid value for prevExist");
  // curl -X PUT "$E/v2/keys/v?refresh=true&value=x&prevExist=x"
  CHECK(Failure(Req("PUT", "refresh=true&value=x&prevExist=x")) ==
        "209 invalid value for prevExist");
  // Row 10: curl -X PUT "$E/v2/keys/v?refresh=x"
  CHECK(Failure(Req("PUT", "refresh=x")) == "209 invalid value for refresh");
  // Row 11 before 12: curl -X PUT "$E/v2/keys/v?refresh=true&value=1"
  CHECK(Failure(Req("PUT", "refresh=true&value=1")) == "211 A value was provided on a refresh");
  // Row 12: curl -X PUT "$E/v2/keys/v?refresh=true&value="
  CHECK(Failure(Req("PUT", "refresh=true&value=")) == "212 No TTL value set");
}

TEST_CASE("form errors are 210 with Go's text as cause") {
  // curl "$E/v2/keys/a?x=1;y=2"
  CHECK(Failure(Req("GET", "x=1;y=2")) == "210 invalid semicolon separator in query");
  // curl -X PUT $E/v2/keys/a -d 'value=%'
  CHECK(Failure(Req("PUT", "", "value=%")) == R"(210 invalid URL escape "%")");
  // curl -X PUT $E/v2/keys/ct -H 'Content-Type: application/x-www-form-urlencoded; foo' -d value=1
  http::Request r = Req("PUT", "", "value=1");
  r.headers = {{"content-type", "application/x-www-form-urlencoded; foo"}};
  CHECK(Failure(r) == "210 mime: invalid media parameter");
}

TEST_CASE("an oversized form body answers 210 'http: POST too large'") {
  // curl -X PUT "$E/v2/keys/big?x=%zz" --data-binary @11MiB-file
  http::Request r = Req("PUT", "value=q");
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body_too_large = true;
  CHECK(Failure(r) == "210 http: POST too large");
  // A body Go would not read is not missed: curl -X DELETE with a huge body
  r.method = "DELETE";
  CHECK(Failure(r) == "ok");
}

TEST_CASE("Go ParseBool spellings") {
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    CAPTURE(t);
    auto req = Ok(Req("GET", std::string("recursive=") + t + "&sorted=" + t + "&dir=" + t +
                                 "&quorum=" + t + "&stream=" + t + "&wait=" + t));
    CHECK(req.recursive);
    CHECK(req.sorted);
    CHECK(req.dir);
    CHECK(req.quorum);
    CHECK(req.stream);
    CHECK(req.wait);
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    CAPTURE(f);
    auto req = Ok(Req("GET", std::string("recursive=") + f + "&wait=" + f));
    CHECK_FALSE(req.recursive);
    CHECK_FALSE(req.wait);
  }
  // curl "$E/v2/keys/v?dir&recursive=1" : a bare name is "" and "" is no bool
  CHECK(Failure(Req("GET", "dir&recursive=1")) == R"(209 invalid value for "dir")");
  for (const char* bad : {"yes", "tRUE", "2", "%20true", "true%20"}) {
    CAPTURE(bad);
    CHECK(Failure(Req("GET", std::string("sorted=") + bad)) == R"(209 invalid value for "sorted")");
  }
  // absent bools are false
  auto req = Ok(Req("GET", ""));
  CHECK_FALSE(req.recursive);
  CHECK_FALSE(req.sorted);
  CHECK_FALSE(req.wait);
  CHECK_FALSE(req.dir);
  CHECK_FALSE(req.quorum);
  CHECK_FALSE(req.stream);
}

TEST_CASE("Go ParseUint for prevIndex and waitIndex") {
  // curl -X PUT "$E/v2/keys/v?prevIndex=00&waitIndex=007&value=x&..." -> accepted
  auto req = Ok(Req("GET", "prevIndex=00&waitIndex=007"));
  CHECK(req.prev_index == 0);
  CHECK(req.since == 7);
  // curl -X PUT "$E/v2/keys/v?prevIndex=18446744073709551615&value=x" -> accepted
  CHECK(Ok(Req("PUT", "prevIndex=18446744073709551615")).prev_index == UINT64_MAX);
  // ...=18446744073709551616, =0x10, =1_0, =-1, = (empty): 203
  for (const char* bad : {"18446744073709551616", "0x10", "1_0", "-1", "+1", "", "%201", "1.0"}) {
    CAPTURE(bad);
    CHECK(Failure(Req("PUT", std::string("prevIndex=") + bad)) ==
          R"(203 invalid value for "prevIndex")");
    CHECK(Failure(Req("GET", std::string("waitIndex=") + bad)) ==
          R"(203 invalid value for "waitIndex")");
  }
  CHECK(Ok(Req("GET", "")).since == 0);
}

TEST_CASE("the first value of a name counts, body before query") {
  // curl -X PUT "$E/v2/keys/v?ttl=5&ttl=x" -> set with ttl 5
  CHECK(Ok(Req("PUT", "ttl=5&ttl=x")).expiration_ns == kNow + 5 * kSecond);
  // curl -X PUT "$E/v2/keys/v?ttl=x" -d ttl= -> set without TTL
  CHECK(Ok(Req("PUT", "ttl=x", "ttl=")).expiration_ns == 0);
  // curl -X PUT "$E/v2/keys/v?ttl=1" -d ttl=x -> 202
  CHECK(Failure(Req("PUT", "ttl=1", "ttl=x")) == R"(202 invalid value for "ttl")");
  // curl -X PUT "$E/v2/keys/v?prevValue=a" -d prevValue= -> 201
  CHECK(Failure(Req("PUT", "prevValue=a", "prevValue=")) == R"(201 "prevValue" cannot be empty)");
  // curl -X PUT "$E/v2/keys/v?prevValue=" -d prevValue=a -> passes parsing (then 101)
  CHECK(Ok(Req("PUT", "prevValue=", "prevValue=a")).prev_value == "a");
  // curl -X PUT "$E/v2/keys/ct?value=query&value=q2" -d value=body -d value=b2 -> "body"
  CHECK(Ok(Req("PUT", "value=query&value=q2", "value=body&value=b2")).val == "body");
  // DELETE ignores its body: curl -X DELETE $E/v2/keys/ct -d dir=zz -> deleted
  CHECK_FALSE(Ok(Req("DELETE", "", "dir=zz")).dir);
}

TEST_CASE("prevValue present but empty is 201, absent is fine") {
  // curl "$E/v2/keys/v?prevValue"
  CHECK(Failure(Req("GET", "prevValue")) == R"(201 "prevValue" cannot be empty)");
  CHECK(Failure(Req("DELETE", "prevValue=")) == R"(201 "prevValue" cannot be empty)");
  CHECK(Ok(Req("DELETE", "")).prev_value.empty());
  CHECK(Ok(Req("DELETE", "prevValue=a%20b")).prev_value == "a b");
}

TEST_CASE("wait is only for GET") {
  // curl -X POST "$E/v2/keys/v?wait=1"; -X DELETE "?wait=t"; -I "?wait=true"
  for (const char* method : {"PUT", "POST", "DELETE", "HEAD"}) {
    CAPTURE(method);
    CHECK(Failure(Req(method, "wait=true")) == R"(209 "wait" can only be used with GET requests)");
    CHECK(Failure(Req(method, "wait=false")) == "ok");
  }
  auto req = Ok(Req("GET", "wait=true&waitIndex=12&recursive=true&stream=true"));
  CHECK(req.wait);
  CHECK(req.since == 12);
  CHECK(req.recursive);
  CHECK(req.stream);
  // curl "$E/v2/keys/v?wait=TRUE&quorum=1&waitIndex=99999" -> a plain get: quorum wins,
  // which dispatch decides; parsing keeps both flags
  req = Ok(Req("GET", "wait=TRUE&quorum=1&waitIndex=99999"));
  CHECK(req.wait);
  CHECK(req.quorum);
}

TEST_CASE("ttl: empty is absent, otherwise now + ttl seconds") {
  CHECK(Ok(Req("PUT", "")).expiration_ns == 0);
  // curl -X PUT "$E/v2/keys/v?refresh=false&value=x&ttl=" style: empty means no TTL
  CHECK(Ok(Req("PUT", "ttl=")).expiration_ns == 0);
  CHECK(Ok(Req("PUT", "ttl")).expiration_ns == 0);
  // ttl=0 expires at the next sweep: an expire time of now
  CHECK(Ok(Req("PUT", "ttl=0")).expiration_ns == kNow);
  // curl -X PUT "$E/v2/keys/v?ttl=010&value=octal" -> "ttl":10 (decimal)
  CHECK(Ok(Req("PUT", "ttl=010")).expiration_ns == kNow + 10 * kSecond);
  CHECK(Ok(Req("POST", "", "ttl=60")).expiration_ns == kNow + 60 * kSecond);
  // curl -X PUT "$E/v2/keys/v?ttl=-1" / "?ttl=%201" / "?ttl=18446744073709551616" -> 202
  for (const char* bad : {"-1", "%201", "18446744073709551616", "1s", "1e3"}) {
    CAPTURE(bad);
    CHECK(Failure(Req("PUT", std::string("ttl=") + bad)) == R"(202 invalid value for "ttl")");
  }
}

TEST_CASE("huge ttl values wrap like Go's int64 time arithmetic") {
  // curl -X PUT "$E/v2/keys/v?value=x&ttl=18446744073709551615" -> expiration one second
  // before now ("ttl":-1): Duration(2^64-1) is -1 ns, times 1e9
  CHECK(Ok(Req("PUT", "ttl=18446744073709551615")).expiration_ns == kNow - kSecond);
  // curl -X PUT "$E/v2/keys/u?prevExist=true&ttl=9223372037" -d value=2 (at 2026-11-22T00:57Z)
  // -> "expiration":"1734-08-13T01:09:46...Z": ttl*1e9 wrapped to about -292 years
  const int64_t wrapped = Ok(Req("PUT", "ttl=9223372037")).expiration_ns;
  CHECK(wrapped == kNow + static_cast<int64_t>(9223372037ull * 1000000000ull));
  // curl -X PUT "$E/v2/keys/u2?prevValue=1&ttl=9223372036" -d value=2
  // -> "expiration":"1734-08-13T01:09:47...Z": the sum overflows instead
  const int64_t overflowed = Ok(Req("PUT", "ttl=9223372036")).expiration_ns;
  CHECK(overflowed ==
        static_cast<int64_t>(static_cast<uint64_t>(kNow) + 9223372036000000000ull));
  // both land in 1734 (Unix seconds -7447420800 .. -7415884800)
  for (int64_t ns : {wrapped, overflowed}) {
    CHECK(ns / kSecond > -7447420800);
    CHECK(ns / kSecond < -7415884800);
  }
  // 9223372036 s is the largest ttl whose nanoseconds fit in int64
  CHECK(static_cast<uint64_t>(9223372036000000000ull) < static_cast<uint64_t>(INT64_MAX));
}

TEST_CASE("prevExist and refresh are nullable") {
  auto req = Ok(Req("PUT", ""));
  CHECK_FALSE(req.prev_exist.has_value());
  CHECK_FALSE(req.refresh.has_value());
  // curl -X PUT "$E/v2/keys/v?...&prevExist=False" -> create
  req = Ok(Req("PUT", "prevExist=False"));
  REQUIRE(req.prev_exist.has_value());
  CHECK_FALSE(*req.prev_exist);
  req = Ok(Req("PUT", "prevExist=t&refresh=0"));
  CHECK(req.prev_exist == std::optional<bool>(true));
  CHECK(req.refresh == std::optional<bool>(false));
  // curl -X PUT "$E/v2/keys/v?prevExist=&ttl=1" ; "?prevExist" ; "?refresh=&ttl=1" ; "?refresh&ttl=1"
  CHECK(Failure(Req("PUT", "prevExist=&ttl=1")) == "209 invalid value for prevExist");
  CHECK(Failure(Req("PUT", "prevExist")) == "209 invalid value for prevExist");
  CHECK(Failure(Req("PUT", "refresh=&ttl=1")) == "209 invalid value for refresh");
  CHECK(Failure(Req("PUT", "refresh&ttl=1")) == "209 invalid value for refresh");
}

TEST_CASE("refresh needs a ttl and no value") {
  // curl -X PUT "$E/v2/keys/v?refresh=true&ttl=5" -> reaches the store (100)
  auto req = Ok(Req("PUT", "refresh=true&ttl=5"));
  CHECK(req.refresh == std::optional<bool>(true));
  CHECK(req.expiration_ns == kNow + 5 * kSecond);
  CHECK(req.val.empty());
  // curl -X PUT "$E/v2/keys/v?refresh=true&ttl=" -> 212
  CHECK(Failure(Req("PUT", "refresh=true&ttl=")) == "212 No TTL value set");
  CHECK(Failure(Req("PUT", "refresh=true")) == "212 No TTL value set");
  // curl -X PUT "$E/v2/keys/v?refresh=1&ttl=1&value=" -d value=x -> 211 (body first)
  CHECK(Failure(Req("PUT", "refresh=1&ttl=1&value=", "value=x")) ==
        "211 A value was provided on a refresh");
  // curl -X PUT "$E/v2/keys/v?refresh=1&ttl=1&value=x" -d value= -> refreshed
  CHECK(Ok(Req("PUT", "refresh=1&ttl=1&value=x", "value=")).refresh == std::optional<bool>(true));
  // refresh=false lifts both rules: curl -X PUT "...?refresh=false&value=x&ttl=..." -> set
  req = Ok(Req("PUT", "refresh=false&value=x"));
  CHECK(req.val == "x");
  CHECK(req.refresh == std::optional<bool>(false));
}

TEST_CASE("fields of a full PUT") {
  auto res = Parse(Req("PUT", "prevIndex=7&prevValue=old&dir=false&noValueOnSuccess=T",
                       "value=new+v&ttl=3&prevExist=true"));
  REQUIRE(res.ok());
  const api::KeysRequest& kr = res.value();
  CHECK(kr.req.method == "PUT");
  CHECK(kr.req.path == "/1/k");
  CHECK(kr.req.val == "new v");
  CHECK(kr.req.prev_value == "old");
  CHECK(kr.req.prev_index == 7);
  CHECK(kr.req.prev_exist == std::optional<bool>(true));
  CHECK(kr.req.expiration_ns == kNow + 3 * kSecond);
  CHECK_FALSE(kr.req.dir);
  CHECK(kr.no_value_on_success);
  CHECK_FALSE(kr.head);
  CHECK_FALSE(Parse(Req("PUT", "")).value().no_value_on_success);
}

TEST_CASE("HEAD is a local GET") {
  auto res = Parse(Req("HEAD", "quorum=true&recursive=true"));
  REQUIRE(res.ok());
  CHECK(res.value().head);
  CHECK(res.value().req.method == "GET");
  CHECK_FALSE(res.value().req.quorum);
  CHECK(res.value().req.recursive);
  CHECK(Ok(Req("GET", "quorum=true")).quorum);
  CHECK(Ok(Req("POST", "")).method == "POST");
  CHECK(Ok(Req("DELETE", "")).method == "DELETE");
}

TEST_CASE("store path is /1 plus the cleaned key") {
  CHECK(Ok(Req("GET", ""), "").path == "/1");
  CHECK(Ok(Req("GET", ""), "/").path == "/1");
  CHECK(Ok(Req("GET", ""), "/foo/bar").path == "/1/foo/bar");
  // curl $E/v2/keys/d/ reads /d: the trailing slash is dropped
  CHECK(Ok(Req("GET", ""), "/d/").path == "/1/d");
  // curl -X PUT $E/v2/keys/d%2Fe%20f -> key "/d/e f"; caf%C3%A9 -> "/café"
  CHECK(Ok(Req("PUT", ""), "/d/e f").path == "/1/d/e f");
  CHECK(Ok(Req("PUT", ""), "/caf\xc3\xa9").path == "/1/caf\xc3\xa9");
  // curl -X PUT $E/v2/keys/n%00ul -> key "/n\u0000ul"
  CHECK(Ok(Req("PUT", ""), std::string("/n\0ul", 5)).path == std::string("/1/n\0ul", 7));
  // the mux redirects ".." away; should one arrive it stays inside /1
  CHECK(Ok(Req("GET", ""), "/../../0/members").path == "/1/0/members");
}

TEST_CASE("keys over the depth or length limit are refused before anything else") {
  // etcd resets the connection for a request line over 4096 bytes, so no
  // key it serves is over 4096 bytes; kvraft answers 209 (HTTP 400) instead.
  std::string deepest;
  for (int i = 0; i < 2048; ++i) deepest += "/a";
  for (const char* m : {"GET", "PUT", "DELETE", "HEAD"}) {
    CHECK(Ok(Req(m, ""), deepest).path == "/1" + deepest);
    CHECK(Failure(Req(m, "")) == "ok");
  }
  const std::string too_deep = deepest + "/a";
  const std::string longest = "/" + std::string(4095, 'x');
  CHECK(Ok(Req("PUT", ""), longest).path == "/1" + longest);
  for (const char* m : {"GET", "PUT", "POST", "DELETE", "HEAD"}) {
    auto deep = Parse(Req(m, "value=v"), too_deep);
    REQUIRE_FALSE(deep.ok());
    CHECK(deep.error().code == store::kEcodeInvalidField);
    CHECK(deep.error().index == 0);
    // A POST counts the in-order key it would create ("/" and 20 digits).
    const bool post = std::string(m) == "POST";
    CHECK(deep.error().cause ==
          (post ? "key too deep: 2050 segments (at most 2048)"
                : "key too deep: 2049 segments (at most 2048)"));
    auto too_long = Parse(Req(m, ""), longest + "y");
    REQUIRE_FALSE(too_long.ok());
    CHECK(too_long.error().cause == (post ? "key too long: 4118 bytes (at most 4096)"
                                          : "key too long: 4097 bytes (at most 4096)"));
  }
  // First failure wins: the key comes before a bad form and a bad ttl.
  CHECK(Parse(Req("PUT", "x=%zz&ttl=x"), too_deep).error().code == store::kEcodeInvalidField);
  // The cleaned key counts: "." and ".." segments and doubled slashes go.
  std::string unclean;
  for (int i = 0; i < 3000; ++i) unclean += "/./b/..//";
  CHECK(Ok(Req("PUT", ""), unclean + "/k").path == "/1/k");
  // The deepest dir of "/a" segments a POST still creates a key under.
  std::string post_dir;
  for (int i = 0; i < 2037; ++i) post_dir += "/a";
  CHECK(Ok(Req("POST", ""), post_dir).path == "/1" + post_dir);
  CHECK(Parse(Req("POST", ""), post_dir + "/a").error().cause ==
        "key too long: 4097 bytes (at most 4096)");
  CHECK(Ok(Req("PUT", "dir=true"), post_dir + "/a").dir);
}

}  // TEST_SUITE
