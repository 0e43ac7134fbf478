// Go encoding/json string escaping, checked against bytes real etcd 3.4.23 printed.
#include "common/json_string.h"

#include <doctest/doctest.h>

namespace {

TEST_SUITE("common") {

TEST_CASE("JsonString passes plain text and slashes through") {
  CHECK(common::JsonString("Hello world") == "\"Hello world\"");
  CHECK(common::JsonString("/a/b") == "\"/a/b\"");
  CHECK(common::JsonString("") == "\"\"");
}

TEST_CASE("JsonString escapes exactly as etcd printed a stress value") {
  // Value sent to etcd 3.4.23 as %08%0C%7F%01%1F%0A%0D%09%22%5C%3C%3E%26%E2%80%A8
  // %E2%80%A9%FF%C3%A9%ED%A0%80%F0%9F%98%80%C0%AF/
  std::string in = "\x08\x0c\x7f\x01\x1f\n\r\t\"\\<>&\xe2\x80\xa8\xe2\x80\xa9\xff\xc3\xa9"
                   "\xed\xa0\x80\xf0\x9f\x98\x80\xc0\xaf/";
  std::string want = "\"\\u0008\\u000c\x7f\\u0001\\u001f\\n\\r\\t\\\"\\\\\\u003c\\u003e\\u0026"
                     "\\u2028\\u2029\\ufffd\xc3\xa9\\ufffd\\ufffd\\ufffd\xf0\x9f\x98\x80"
                     "\\ufffd\\ufffd/\"";
  CHECK(common::JsonString(in) == want);
}

TEST_CASE("JsonString rejects overlong, out-of-range and truncated UTF-8 byte by byte") {
  CHECK(common::JsonString("\xe0\x80\x80") == "\"\\ufffd\\ufffd\\ufffd\"");    // overlong
  CHECK(common::JsonString("\xf4\x90\x80\x80") == "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF
  CHECK(common::JsonString("a\xe2\x82") == "\"a\\ufffd\\ufffd\"");             // truncated
  CHECK(common::JsonString("\xe2\x82\xac") == "\"\xe2\x82\xac\"");             // euro sign is valid
  CHECK(common::JsonString("\xef\xbf\xbf") == "\"\xef\xbf\xbf\"");             // U+FFFF is valid
}

TEST_CASE("AppendJsonString appends after existing content") {
  std::string out = "{\"k\":";
  common::AppendJsonString(&out, "v");
  CHECK(out == "{\"k\":\"v\"");
}

}  // TEST_SUITE

}  // namespace
