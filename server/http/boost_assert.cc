// Boost's assertion handler (every file is built with
// BOOST_ENABLE_ASSERT_HANDLER, see the Makefile). A failed Boost assertion
// ends the process as assert() does, except one that is known to be wrong:
// Boost 1.74's Beast asserts n >= 5 in parse_chunk_header when a chunked
// body's last chunk was read and 3 or 4 bytes of it are buffered, which
// happens when the last chunk and its final CRLF arrive in separate reads
// (any client can do it). The code after it handles those bytes correctly by
// asking for more; Beast fixed the assertion upstream (boostorg/beast pull
// request 2861, Boost 1.86).
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace boost {
namespace {

bool EndsWith(const char* s, const char* suffix) {
  const std::size_t n = std::strlen(s), m = std::strlen(suffix);
  return n >= m && std::strcmp(s + n - m, suffix) == 0;
}

}  // namespace

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  if (std::strcmp(expr, "n >= 5") == 0 && EndsWith(file, "boost/beast/http/impl/basic_parser.ipp") &&
      std::strstr(function, "parse_chunk_header") != nullptr) {
    return;
  }
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
  std::abort();
}

}  // namespace boost
