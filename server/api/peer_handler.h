// The peer-port HTTP handler: GET /members (the member list joiners and
// proxies read), /version, and raft traffic: POST /raft and POST
// /raft/snapshot (served by the transport).
#pragma once

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

http::Handler MakePeerHandler(Context& ctx);

}  // namespace api
