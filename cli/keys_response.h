// A v2 keys API answer as etcd's Go client decodes it, and etcdctl's three
// ways of printing it (simple, extended, json). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/client.h"
#include "common/http_client.h"

namespace cli {

struct Node {
  std::string key;
  bool dir = false;
  std::string value;
  bool has_nodes = false;  // "nodes" was present (Go prints null otherwise)
  std::vector<Node> nodes;
  uint64_t created_index = 0;
  uint64_t modified_index = 0;
  std::string expiration;  // RFC 3339 as the server sent it; "" for none
  int64_t ttl = 0;
};

struct KeysResponse {
  std::string action;
  Node node;
  std::optional<Node> prev_node;
  uint64_t index = 0;  // X-Etcd-Index
};

// 200/201 with a body decode to a response; any other status is the etcd
// error it carries ("100: Key not found (/foo) [12]"). Texts for bodies that
// do not decode are the Go client's.
CtlResult<KeysResponse> DecodeKeysResponse(const common::HttpResponse& http);

// What etcdctl prints for `format` (simple, extended, json). An unknown
// format prints "Unsupported output format: X" to *err instead.
void FormatKeysResponse(const KeysResponse& r, const std::string& format, std::string* out, std::string* err);

// Go's encoding/json of a client.Node.
std::string NodeJson(const Node& n);

}  // namespace cli
