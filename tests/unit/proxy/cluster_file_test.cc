#include "server/proxy/cluster_file.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/proxy-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_SUITE("proxy") {
  TEST_CASE("the cluster file is etcd's JSON and reads back") {
    TempDir dir;
    CHECK(proxy::ReadClusterFile(dir.path).status().code() == common::Code::kNotFound);
    REQUIRE(proxy::WriteClusterFile(dir.path, {"http://127.0.0.1:2380", "http://127.0.0.1:2381"}).ok());
    CHECK(ReadAll(dir.path + "/cluster") == R"({"PeerURLs":["http://127.0.0.1:2380","http://127.0.0.1:2381"]})");
    CHECK_FALSE(std::filesystem::exists(dir.path + "/cluster.bak"));
    auto urls = proxy::ReadClusterFile(dir.path);
    REQUIRE(urls.ok());
    CHECK(*urls == std::vector<std::string>{"http://127.0.0.1:2380", "http://127.0.0.1:2381"});
  }

  TEST_CASE("the cluster file is read as Go's json.Unmarshal reads it") {
    TempDir dir;
    std::ofstream(dir.path + "/cluster") << R"({"peerurls":["http://h:1"],"Other":1})";
    CHECK(*proxy::ReadClusterFile(dir.path) == std::vector<std::string>{"http://h:1"});
    std::ofstream(dir.path + "/cluster") << "not json";
    CHECK(proxy::ReadClusterFile(dir.path).status().code() == common::Code::kCorruption);
    std::ofstream(dir.path + "/cluster") << R"({"PeerURLs":"http://h:1"})";
    CHECK(proxy::ReadClusterFile(dir.path).status().code() == common::Code::kCorruption);
  }
}
