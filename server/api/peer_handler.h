// The peer-port HTTP handler: GET /members (the member list joiners and
// proxies read) and /version. Raft traffic joins it with replication.
#pragma once

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

http::Handler MakePeerHandler(Context& ctx);

}  // namespace api
