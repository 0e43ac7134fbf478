#include "cli/keys_response.h"

#include <nlohmann/json.hpp>

#include "common/json_string.h"

namespace cli {

using nlohmann::json;

static constexpr char kInvalidJson[] =
    "client: response is invalid json. The endpoint is probably not valid etcd cluster endpoint.";

static uint64_t Unsigned(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

static Node NodeFrom(const json& j) {
  Node n;
  if (!j.is_object()) return n;
  if (j.contains("key") && j["key"].is_string()) n.key = j["key"].get<std::string>();
  if (j.contains("dir") && j["dir"].is_boolean()) n.dir = j["dir"].get<bool>();
  if (j.contains("value") && j["value"].is_string()) n.value = j["value"].get<std::string>();
  n.created_index = Unsigned(j, "createdIndex");
  n.modified_index = Unsigned(j, "modifiedIndex");
  if (j.contains("expiration") && j["expiration"].is_string()) n.expiration = j["expiration"].get<std::string>();
  if (j.contains("ttl") && j["ttl"].is_number_integer()) n.ttl = j["ttl"].get<int64_t>();
  auto it = j.find("nodes");
  if (it != j.end() && it->is_array()) {
    n.has_nodes = true;
    for (const json& c : *it) n.nodes.push_back(NodeFrom(c));
  }
  return n;
}

static std::string Field(const json& j, const char* key, const char* absent) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return absent;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Go's client.Error: "<errorCode>: <message> (<cause>) [<index>]".
static std::string EtcdErrorText(const json& j) {
  return Field(j, "errorCode", "0") + ": " + Field(j, "message", "") + " (" + Field(j, "cause", "") + ") [" +
         Field(j, "index", "0") + "]";
}

CtlResult<KeysResponse> DecodeKeysResponse(const common::HttpResponse& http) {
  json j = json::parse(http.body, nullptr, false);
  if (http.status != 200 && http.status != 201) {
    if (j.is_discarded() || !j.is_object()) return CtlError{kInvalidJson};
    return CtlError{EtcdErrorText(j)};
  }
  if (http.body.empty()) return CtlError{"client: response body is empty"};
  if (j.is_discarded() || !j.is_object()) return CtlError{kInvalidJson};
  KeysResponse r;
  if (j.contains("action") && j["action"].is_string()) r.action = j["action"].get<std::string>();
  r.node = NodeFrom(j.value("node", json()));
  if (j.contains("prevNode") && j["prevNode"].is_object()) r.prev_node = NodeFrom(j["prevNode"]);
  std::string index = http.Header("X-Etcd-Index");
  if (!index.empty()) r.index = strtoull(index.c_str(), nullptr, 10);
  return r;
}

std::string NodeJson(const Node& n) {
  std::string s = "{\"key\":" + common::JsonString(n.key);
  if (n.dir) s += ",\"dir\":true";
  s += ",\"value\":" + common::JsonString(n.value) + ",\"nodes\":";
  if (!n.has_nodes) {
    s += "null";
  } else {
    s += "[";
    for (size_t i = 0; i < n.nodes.size(); ++i) s += (i ? "," : "") + NodeJson(n.nodes[i]);
    s += "]";
  }
  s += ",\"createdIndex\":" + std::to_string(n.created_index) + ",\"modifiedIndex\":" + std::to_string(n.modified_index);
  if (!n.expiration.empty()) s += ",\"expiration\":" + common::JsonString(n.expiration);
  if (n.ttl != 0) s += ",\"ttl\":" + std::to_string(n.ttl);
  return s + "}";
}

void FormatKeysResponse(const KeysResponse& r, const std::string& format, std::string* out, std::string* err) {
  if (format == "simple") {
    if (r.action != "delete") {
      *out += r.node.value + "\n";
    } else {
      *out += "PrevNode.Value: " + (r.prev_node ? r.prev_node->value : std::string()) + "\n";
    }
  } else if (format == "extended") {
    *out += "Key: " + r.node.key + "\n";
    *out += "Created-Index: " + std::to_string(r.node.created_index) + "\n";
    *out += "Modified-Index: " + std::to_string(r.node.modified_index) + "\n";
    if (r.prev_node) *out += "PrevNode.Value: " + r.prev_node->value + "\n";
    *out += "TTL: " + std::to_string(r.node.ttl) + "\n";
    *out += "Index: " + std::to_string(r.index) + "\n";
    if (r.action != "delete") *out += "\n" + r.node.value + "\n";
  } else if (format == "json") {
    *out += "{\"action\":" + common::JsonString(r.action) + ",\"node\":" + NodeJson(r.node) +
            ",\"prevNode\":" + (r.prev_node ? NodeJson(*r.prev_node) : std::string("null")) + "}\n";
  } else {
    *err += "Unsupported output format: " + format + "\n";
  }
}

}  // namespace cli
