// Go's url.ParseQuery and Request.ParseForm as etcd 3.4.23 (Go 1.19.8) applies
// them to /v2/keys. Error texts are the `cause` etcd answered with (errorCode
// 210); $E is the oracle's client URL.
#include "server/api/form.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using Strings = std::vector<std::string>;

std::string QueryError(const std::string& query) {
  api::Form form;
  common::Status s = api::ParseQuery(query, &form);
  return s.ok() ? "<ok>" : s.message();
}

api::FormSource Source(std::string_view method, std::string_view query, std::string_view body,
                       std::string_view content_type = "application/x-www-form-urlencoded") {
  return {method, content_type, query, body, false};
}

std::string FormError(const api::FormSource& src) {
  auto r = api::ParseRequestForm(src);
  return r.ok() ? "<ok>" : r.status().message();
}

}  // namespace

TEST_SUITE("api") {

TEST_CASE("ParseQuery splits, decodes and keeps every value in order") {
  api::Form form;
  // curl -X PUT $E/v2/keys/a --data-binary 'value=a+b%20c&=x' -> value "a b c"
  REQUIRE(api::ParseQuery("value=a+b%20c&=x&k&k=2&&k=%33", &form).ok());
  CHECK(form.Value("value") == "a b c");
  CHECK(form.Values("") == Strings{"x"});
  CHECK(form.Has("k"));
  CHECK(form.Values("k") == Strings{"", "2", "3"});
  CHECK(form.Value("k") == "");
  CHECK_FALSE(form.Has("absent"));
  CHECK(form.Value("absent") == "");
  CHECK(form.Values("absent").empty());
}

TEST_CASE("a name without '=' is present with an empty value") {
  api::Form form;
  // curl -X PUT $E/v2/keys/a --data-binary 'value=1&&&=&dir' -> 209 invalid "dir"
  REQUIRE(api::ParseQuery("value=1&&&=&dir", &form).ok());
  CHECK(form.Has("dir"));
  CHECK(form.Value("dir") == "");
  CHECK(form.Values("") == Strings{""});
  CHECK(form.Value("value") == "1");
}

TEST_CASE("ParseQuery errors and their precedence") {
  // curl "$E/v2/keys/a?x=1;y=2"
  CHECK(QueryError("x=1;y=2") == "invalid semicolon separator in query");
  // curl "$E/v2/keys/a?x=%zz"  and  "?%zz=1"
  CHECK(QueryError("x=%zz") == R"(invalid URL escape "%zz")");
  CHECK(QueryError("%zz=1") == R"(invalid URL escape "%zz")");
  // curl "$E/v2/keys/a?x=%zz&y=%qq" : the first bad escape
  CHECK(QueryError("x=%zz&y=%qq") == R"(invalid URL escape "%zz")");
  // curl "$E/v2/keys/a?x=%zz&a;b" and "?a;b&x=%zz" and "?x=%zz&a;b&y=%qq":
  // a semicolon error replaces an escape error, an escape error never a semicolon one
  CHECK(QueryError("x=%zz&a;b") == "invalid semicolon separator in query");
  CHECK(QueryError("a;b&x=%zz") == "invalid semicolon separator in query");
  CHECK(QueryError("x=%zz&a;b&y=%qq") == "invalid semicolon separator in query");
  // curl "$E/v2/keys/a?a;b=%zz"
  CHECK(QueryError("a;b=%zz") == "invalid semicolon separator in query");
  CHECK(QueryError("") == "<ok>");
  CHECK(QueryError("&&") == "<ok>");
}

TEST_CASE("well-formed pairs are kept next to a bad one") {
  api::Form form;
  CHECK_FALSE(api::ParseQuery("a=1&b=%zz&c=3", &form).ok());
  CHECK(form.Value("a") == "1");
  CHECK_FALSE(form.Has("b"));
  CHECK(form.Value("c") == "3");
}

TEST_CASE("body values come before query values and the first one wins") {
  // curl -X PUT "$E/v2/keys/ct?value=query&value=q2" -d value=body -d value=b2 -> "body"
  auto r = api::ParseRequestForm(Source("PUT", "value=query&value=q2", "value=body&value=b2"));
  REQUIRE(r.ok());
  CHECK(r.value().Values("value") == Strings{"body", "b2", "query", "q2"});
  CHECK(r.value().Value("value") == "body");
  // curl -X POST "$E/v2/keys/q?value=query" -d value=body -> created with "body"
  r = api::ParseRequestForm(Source("POST", "value=query", "value=body"));
  REQUIRE(r.ok());
  CHECK(r.value().Value("value") == "body");
  // curl -X PUT "$E/v2/keys/ct?value=query&value=q2" (no body) -> "query"
  r = api::ParseRequestForm(Source("PUT", "value=query&value=q2", ""));
  REQUIRE(r.ok());
  CHECK(r.value().Value("value") == "query");
}

TEST_CASE("the body is read only for POST, PUT and PATCH") {
  // curl -X DELETE $E/v2/keys/ct -d dir=zz -> deleted (body ignored)
  auto r = api::ParseRequestForm(Source("DELETE", "", "dir=zz"));
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().Has("dir"));
  // curl -X GET $E/v2/keys/ct -d 'x=%zz' -> 100 Key not found (body ignored)
  CHECK(FormError(Source("GET", "", "x=%zz")) == "<ok>");
  CHECK(FormError(Source("HEAD", "", "x=%zz")) == "<ok>");
  CHECK(FormError(Source("PATCH", "", "x=%zz")) == R"(invalid URL escape "%zz")");
  // curl -X DELETE "$E/v2/keys/ct?x=;" -> the query is still parsed
  CHECK(FormError(Source("DELETE", "x=;", "")) == "invalid semicolon separator in query");
}

TEST_CASE("only form-urlencoded bodies are parsed") {
  // curl -X PUT $E/v2/keys/ct -H 'Content-Type:' -d value=x -> value ""
  auto r = api::ParseRequestForm(Source("PUT", "", "value=x", ""));
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().Has("value"));
  // -H 'Content-Type: text/plain' -d 'value=%zz' -> set with value "" (no error)
  CHECK(FormError(Source("PUT", "", "value=%zz", "text/plain")) == "<ok>");
  // -H 'Content-Type: application/json', multipart (-F value=mp2) -> value ""
  r = api::ParseRequestForm(Source("PUT", "", "{\"value\":1}", "application/json"));
  REQUIRE(r.ok());
  CHECK(r.value().Value("value") == "");
  r = api::ParseRequestForm(Source("PUT", "", "value=mp", "multipart/form-data; boundary=x"));
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().Has("value"));
  // -H 'Content-Type: application' (one token, valid, not a form) -> value ""
  r = api::ParseRequestForm(Source("PUT", "", "value=noslash", "application"));
  REQUIRE(r.ok());
  CHECK_FALSE(r.value().Has("value"));
}

TEST_CASE("the media type is matched case-insensitively, parameters allowed") {
  // -H 'Content-Type: APPLICATION/X-WWW-Form-Urlencoded ; charset=utf-8' -> "upper"
  auto r = api::ParseRequestForm(
      Source("PUT", "", "value=upper", "APPLICATION/X-WWW-Form-Urlencoded ; charset=utf-8"));
  REQUIRE(r.ok());
  CHECK(r.value().Value("value") == "upper");
  // 'application/x-www-form-urlencoded;' and '; charset="utf-8" ; ' and '; a=""'
  for (const char* ct : {"application/x-www-form-urlencoded;",
                         "application/x-www-form-urlencoded; charset=\"utf-8\" ; ",
                         "application/x-www-form-urlencoded; a=\"\""}) {
    CAPTURE(ct);
    r = api::ParseRequestForm(Source("PUT", "", "value=ok", ct));
    REQUIRE(r.ok());
    CHECK(r.value().Value("value") == "ok");
  }
}

TEST_CASE("malformed Content-Type errors on POST and PUT") {
  const std::string f = "application/x-www-form-urlencoded";
  // -H 'Content-Type: <ct>' -d value=...  on PUT / POST
  CHECK(FormError(Source("PUT", "", "value=1", f + "; foo")) == "mime: invalid media parameter");
  CHECK(FormError(Source("PUT", "", "value=1", f + ";;")) == "mime: invalid media parameter");
  CHECK(FormError(Source("PUT", "", "value=1", f + "; a=1; A=2")) ==
        "mime: duplicate parameter name");
  CHECK(FormError(Source("PUT", "", "value=1", ";x")) == "mime: no media type");
  CHECK(FormError(Source("PUT", "", "value=1", "application x")) ==
        "mime: expected slash after first token");
  CHECK(FormError(Source("PUT", "", "value=1", "a*b=c; q=1")) ==
        "mime: expected slash after first token");
  CHECK(FormError(Source("PUT", "", "value=1", "application/")) ==
        "mime: expected token after slash");
  CHECK(FormError(Source("PUT", "", "value=1", f + " x")) ==
        "mime: unexpected content after media subtype");
  CHECK(FormError(Source("PUT", "", "value=1", f + "/x")) ==
        "mime: unexpected content after media subtype");
  // curl -X POST "$E/v2/keys/big?x=%zz" -H 'Content-Type: /x' : the mime error beats the query's
  CHECK(FormError(Source("POST", "x=%zz", "value=1", "/x")) == "mime: no media type");
  // ... and beats a bad body: -H 'Content-Type: <form>; foo' -d value=%zz
  CHECK(FormError(Source("PUT", "", "value=%zz", f + "; foo")) == "mime: invalid media parameter");
  // DELETE/GET never look at Content-Type
  CHECK(FormError(Source("DELETE", "", "value=1", "/x")) == "<ok>");
  CHECK(FormError(Source("GET", "", "value=1", "/x")) == "<ok>");
}

TEST_CASE("body errors beat query errors") {
  // curl -X PUT "$E/v2/keys/a?x=%zz" -d 'y=%qq'
  CHECK(FormError(Source("PUT", "x=%zz", "y=%qq")) == R"(invalid URL escape "%qq")");
  // curl -X PUT "$E/v2/keys/a?x=;" -d 'y=%qq'
  CHECK(FormError(Source("PUT", "x=;", "y=%qq")) == R"(invalid URL escape "%qq")");
  // curl -X PUT $E/v2/keys/a -d 'value=1;x=2'
  CHECK(FormError(Source("PUT", "", "value=1;x=2")) == "invalid semicolon separator in query");
}

TEST_CASE("an oversized form body is 'http: POST too large'") {
  api::FormSource src = Source("PUT", "x=%zz", "");
  src.body_too_large = true;
  // curl -X PUT "$E/v2/keys/big?x=%zz" --data-binary @11MiB
  CHECK(FormError(src) == "http: POST too large");
  // -H 'Content-Type: <form>; foo' --data-binary @11MiB : the body is still read
  src.content_type = "application/x-www-form-urlencoded; foo";
  CHECK(FormError(src) == "http: POST too large");
  // -H 'Content-Type: <form>; a=1; A=2' --data-binary @11MiB : the type is rejected first
  src.content_type = "application/x-www-form-urlencoded; a=1; A=2";
  CHECK(FormError(src) == "mime: duplicate parameter name");
  // -H 'Content-Type: text/plain' --data-binary @11MiB "?x=%zz" : body never read
  src.content_type = "text/plain";
  CHECK(FormError(src) == R"(invalid URL escape "%zz")");
  src.method = "DELETE";
  src.content_type = "application/x-www-form-urlencoded";
  src.query = "";
  CHECK(FormError(src) == "<ok>");
}

}  // TEST_SUITE
