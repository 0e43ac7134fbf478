// common::GoQuote against what Go's strconv.Quote (fmt's %q) prints.
#include "common/go_quote.h"

#include <doctest/doctest.h>

#include <string>

TEST_SUITE("common") {
  TEST_CASE("GoQuote: quotes and backslashes") {
    CHECK(common::GoQuote("") == R"("")");
    CHECK(common::GoQuote("abc") == R"("abc")");
    CHECK(common::GoQuote(R"(a"b\c)") == R"("a\"b\\c")");
    CHECK(common::GoQuote("'") == R"("'")");
  }

  TEST_CASE("GoQuote: control characters") {
    CHECK(common::GoQuote("\a\b\f\n\r\t\v") == R"("\a\b\f\n\r\t\v")");
    CHECK(common::GoQuote(std::string("\0", 1)) == R"("\x00")");
    CHECK(common::GoQuote("\x01\x1b\x1f") == R"("\x01\x1b\x1f")");
    CHECK(common::GoQuote("\x7f") == R"("\x7f")");
    // C1 controls, NBSP and the soft hyphen are runes Go does not print.
    CHECK(common::GoQuote("\xc2\x80\xc2\x85\xc2\x9f") == R"("\u0080\u0085\u009f")");
    CHECK(common::GoQuote("\xc2\xa0\xc2\xad") == R"("\u00a0\u00ad")");
  }

  TEST_CASE("GoQuote: printable non-ASCII runes stay as they are") {
    CHECK(common::GoQuote("\xc3\xa9") == "\"\xc3\xa9\"");                          // é
    CHECK(common::GoQuote("\xc2\xa1") == "\"\xc2\xa1\"");                          // ¡
    CHECK(common::GoQuote("\xe6\x97\xa5\xe6\x9c\xac") == "\"\xe6\x97\xa5\xe6\x9c\xac\"");  // 日本
    CHECK(common::GoQuote("\xf0\x9f\x98\x80") == "\"\xf0\x9f\x98\x80\"");          // U+1F600
  }

  TEST_CASE("GoQuote: each byte of invalid UTF-8 as \\x") {
    CHECK(common::GoQuote("\xff") == R"("\xff")");
    CHECK(common::GoQuote("\x80") == R"("\x80")");
    CHECK(common::GoQuote("\xc0\x80") == R"("\xc0\x80")");              // overlong NUL
    CHECK(common::GoQuote("\xe0\x80\xaf") == R"("\xe0\x80\xaf")");      // overlong '/'
    CHECK(common::GoQuote("\xed\xa0\x80") == R"("\xed\xa0\x80")");      // surrogate
    CHECK(common::GoQuote("\xf4\x90\x80\x80") == R"("\xf4\x90\x80\x80")");  // above U+10FFFF
    CHECK(common::GoQuote("\xe2\x82") == R"("\xe2\x82")");              // cut short
    CHECK(common::GoQuote("\xe2\x82x") == R"("\xe2\x82x")");
  }

  TEST_CASE("GoQuote: a mix, as strconv.Quote(\"a\\x01\\n\\\"é\\xff\")") {
    CHECK(common::GoQuote("a\x01\n\"\xc3\xa9\xff") == "\"a\\x01\\n\\\"\xc3\xa9\\xff\"");
  }
}
