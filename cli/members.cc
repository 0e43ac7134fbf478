#include "cli/members.h"

#include <nlohmann/json.hpp>

namespace cli {

using common::Result;
using common::Status;
using nlohmann::json;

static std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

static Member FromJson(const json& j) {
  Member m;
  if (j.contains("id") && j["id"].is_string()) m.id = j["id"].get<std::string>();
  if (j.contains("name") && j["name"].is_string()) m.name = j["name"].get<std::string>();
  m.peer_urls = Strings(j, "peerURLs");
  m.client_urls = Strings(j, "clientURLs");
  return m;
}

Result<std::vector<Member>> ParseMemberList(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("invalid character in members JSON");
  std::vector<Member> out;
  auto it = j.find("members");
  if (it != j.end() && it->is_array()) {
    for (const json& m : *it) {
      if (m.is_object()) out.push_back(FromJson(m));
    }
  }
  return out;
}

Result<Member> ParseMember(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("invalid character in member JSON");
  return FromJson(j);
}

std::string MembersErrorMessage(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("message") || !j["message"].is_string()) return "";
  return j["message"].get<std::string>();
}

}  // namespace cli
