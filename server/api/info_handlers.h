// The small read-only endpoints: /version, /health, /v2/machines and
// /v2/stats/{self,leader,store}, with etcd 3.4's bodies and content types.
// Run on an I/O thread; /health waits for a quorum read through the log.
#pragma once

#include <memory>

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

void HandleVersion(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex);
void HandleHealth(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex);
void HandleMachines(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex);
// `which` is "self", "leader" or "store".
void HandleStats(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                 const std::string& which);

}  // namespace api
