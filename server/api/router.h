// The client-port HTTP handler: Go ServeMux-like routing for etcd's v2
// endpoints (clean-path redirects, OPTIONS for CORS, 404 text for the rest).
#pragma once

#include <memory>

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

// Returns the http::Handler serving `ctx` (which must outlive it).
http::Handler MakeClientHandler(Context& ctx);

}  // namespace api
