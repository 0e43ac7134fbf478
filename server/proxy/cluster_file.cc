#include "server/proxy/cluster_file.h"

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/json_string.h"

namespace proxy {

std::string ProxyDir(const std::string& data_dir) { return data_dir + "/proxy"; }

common::Result<std::vector<std::string>> ReadClusterFile(const std::string& proxy_dir) {
  std::string path = proxy_dir + "/cluster";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return common::Status::NotFound("no cluster file at " + path);
    return common::Status::IOError("open " + path + ": " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseClusterFile(text.str(), path);
}

common::Result<std::vector<std::string>> ParseClusterFile(const std::string& text, const std::string& path) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  // Go's json.Unmarshal into {PeerURLs []string}: unknown keys are ignored,
  // the key matches case-insensitively, null leaves the list empty.
  if (!j.is_object()) return common::Status::Corruption("cluster file " + path + " is not a JSON object");
  std::vector<std::string> urls;
  for (const auto& [key, value] : j.items()) {
    if (strcasecmp(key.c_str(), "PeerURLs") != 0 || value.is_null()) continue;
    if (!value.is_array()) return common::Status::Corruption("cluster file " + path + ": PeerURLs is not a list");
    for (const auto& u : value) {
      if (!u.is_string()) return common::Status::Corruption("cluster file " + path + ": PeerURLs holds a non-string");
      urls.push_back(u.get<std::string>());
    }
  }
  return urls;
}

common::Status WriteClusterFile(const std::string& proxy_dir, const std::vector<std::string>& peer_urls) {
  const std::string text = "{\"PeerURLs\":" + common::JsonStringArray(peer_urls) + "}";
  std::string path = proxy_dir + "/cluster";
  std::string tmp = path + ".bak";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return common::Status::IOError("open " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return common::Status::IOError("write " + tmp + ": " + std::strerror(err));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return common::Status::IOError("rename " + tmp + ": " + std::strerror(errno));
  }
  return common::Status::OK();
}

}  // namespace proxy
