// The /v2/members JSON as kvraftctl reads it. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace cli {

struct Member {
  std::string id;
  std::string name;  // "" for a member added but not started yet
  std::vector<std::string> peer_urls;
  std::vector<std::string> client_urls;
};

// {"members":[...]} (GET /v2/members).
common::Result<std::vector<Member>> ParseMemberList(const std::string& body);
// One member object (POST /v2/members, GET /v2/members/leader).
common::Result<Member> ParseMember(const std::string& body);
// The "message" of a members API error body, or "" when there is none.
std::string MembersErrorMessage(const std::string& body);

}  // namespace cli
