// /v2/keys: parse -> (local get | watch | propose) -> render, as etcd's
// keysHandler. Runs on an I/O thread and never blocks: writes and quorum reads
// answer from the server's apply callback, watches from the dispatcher.
#pragma once

#include <memory>
#include <string>

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

// `key` is the decoded user key after "/v2/keys" ("" or "/..." ).
void HandleKeys(Context& ctx, const http::Request& req, const std::shared_ptr<http::Exchange>& ex,
                const std::string& key);

}  // namespace api
