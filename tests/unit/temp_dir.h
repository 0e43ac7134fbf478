// MakeTempDir: a fresh directory under /tmp for one test (left behind, as
// /tmp is cleaned by the system).
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <string>

namespace test_util {

inline std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/kvraft-" + prefix + "-XXXXXX";
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

}  // namespace test_util
