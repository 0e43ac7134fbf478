#include "discovery-agent/env_file.h"

#include <doctest/doctest.h>
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace agent {
namespace {

std::string Read(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int CountFiles(const std::string& dir) {
  int n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

TEST_SUITE("agent") {
  TEST_CASE("env file lines are KEY=VALUE, one per line, in order") {
    auto text = FormatEnvFile({{"ETCD_NAME", "a"}, {"ETCD_INITIAL_CLUSTER", "a=http://a:1,b=http://b:1"}});
    REQUIRE(text.ok());
    CHECK(*text == "ETCD_NAME=a\nETCD_INITIAL_CLUSTER=a=http://a:1,b=http://b:1\n");
  }

  TEST_CASE("values a shell or docker would split or expand are refused, naming the variable") {
    for (const char* bad : {"a b", "a\nb", "a\"b", "a'b", "$HOME", "a\\b", "a\tb"}) {
      auto text = FormatEnvFile({{"ETCD_NAME", bad}});
      REQUIRE_FALSE(text.ok());
      CHECK(text.status().message().find("ETCD_NAME") != std::string::npos);
    }
  }

  TEST_CASE("the file is replaced whole and no temporary file is left") {
    char tmpl[] = "/tmp/agent-env-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::string path = dir + "/kvraft.env";
    REQUIRE(WriteFileAtomically(path, "OLD=1\n").ok());
    REQUIRE(WriteFileAtomically(path, "NEW=2\n").ok());
    CHECK(Read(path) == "NEW=2\n");
    CHECK(CountFiles(dir) == 1);
    CHECK_FALSE(WriteFileAtomically(dir + "/missing/kvraft.env", "X=1\n").ok());
    unlink(path.c_str());
    rmdir(dir.c_str());
  }
}

}  // namespace
}  // namespace agent
