// The YAML config file (server/config/yaml.cc) through config::Load, as
// `kvraft --config-file FILE` reads it: parsing, type checks, then etcd's
// validation of the whole configuration. Input: the file's text.
#include <string>

#include "fuzz/input.h"
#include "server/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto read_file = [&](const std::string&) -> common::Result<std::string> { return text; };
  auto cfg = config::Load({"--config-file", "/etc/kvraft.yml"}, {}, read_file, std::string("node1.example.com"));
  if (cfg.ok()) FUZZ_CHECK(config::Validate(*cfg).ok());
  return 0;
}
