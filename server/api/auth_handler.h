// /v2/auth: users, roles and the auth switch, as etcd 3.4's authHandler
// answers them (routing, 405s, "Invalid path", root checks, reads). Runs on
// an I/O thread; writes answer later (auth_writes.h).
#pragma once

#include <memory>
#include <string>

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

// `rest` is the decoded, clean path after "/v2/auth". Answers 404 for paths
// etcd serves nothing at.
void HandleAuth(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                const std::string& rest);

}  // namespace api
