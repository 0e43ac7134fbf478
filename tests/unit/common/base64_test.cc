// Standard base64 as Go's StdEncoding: the Basic credentials of HTTP auth.
#include "common/base64.h"

#include <doctest/doctest.h>

TEST_SUITE("common") {

TEST_CASE("base64 round trips and refuses what Go refuses") {
  CHECK(common::Base64Encode("root:rootpw") == "cm9vdDpyb290cHc=");
  CHECK(common::Base64Encode("") == "");
  CHECK(common::Base64Encode("ab") == "YWI=");
  for (const std::string& s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"),
                              std::string("abcd"), std::string("\0\xff\x10", 3)}) {
    CAPTURE(s);
    CHECK(common::Base64Decode(common::Base64Encode(s)) == s);
  }
  CHECK(common::Base64Decode("cm9vdDpy\r\nb290cHc=") == std::string("root:rootpw"));
  for (const char* bad : {"cm9vdDpyb290cHc", "cm9v dDpy", "YW=I", "Y===", "!!!!", "YWI=YWI="}) {
    CAPTURE(bad);
    CHECK_FALSE(common::Base64Decode(bad));
  }
}

}  // TEST_SUITE
