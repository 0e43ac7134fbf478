// /v2/members: the member list and the leader, in etcd's JSON. Runs on an I/O
// thread.
#pragma once

#include <memory>
#include <string>

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

// `rest` is the path after "/v2/members" ("", "/", "/leader", "/<id>").
void HandleMembers(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                   const std::string& rest);

}  // namespace api
