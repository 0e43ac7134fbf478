// A v2 request as it travels through the log: what the API layer builds from
// an HTTP request and what every member applies. Mirrors etcd's
// etcdserverpb.Request. Everything non-deterministic (the TTL's expire time,
// the leader's clock for SYNC) is fixed before proposing. Plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace etcdserver {

struct Request {
  uint64_t id = 0;          // proposal id, unique per proposing member
  std::string method;       // PUT POST DELETE GET (quorum get) SYNC
  std::string path;         // cleaned full store path, e.g. "/1/foo"
  std::string val;
  bool dir = false;
  std::string prev_value;
  uint64_t prev_index = 0;
  std::optional<bool> prev_exist;
  int64_t expiration_ns = 0;  // absolute Unix ns; 0 = permanent
  bool wait = false;
  uint64_t since = 0;       // waitIndex
  bool recursive = false;
  bool sorted = false;
  bool quorum = false;
  int64_t time_ns = 0;      // SYNC: the leader's clock
  bool stream = false;
  std::optional<bool> refresh;

  // Encoding used in the log. Decode returns nullopt on malformed bytes.
  std::string Encode() const;
  static std::optional<Request> Decode(const std::string& bytes);
};

}  // namespace etcdserver
