// Building responses the way etcd's Go handlers write them: CORS headers on
// everything (3.4), Go's http.Error text bodies, JSON bodies with the
// cluster-id header. Pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "server/http/http.h"
#include "server/store/errors.h"

namespace api {

using http::TextError;  // Go's http.Error
// 405 "Method Not Allowed" with Allow: `allow`.
http::Response MethodNotAllowed(const std::string& allow);
http::Response Json(int status, std::string body);
// The 404 for a path no handler serves: Go's mux text, or under /v3/ and
// /v3beta the gRPC gateway's (etcd mounts it there; kvraft has no v3 API).
http::Response NotFound(const std::string& path);
// A /v2/keys error: application/json, X-Etcd-Cluster-Id, X-Etcd-Index = error index.
http::Response KeysError(const store::V2Error& err, uint64_t cluster_id);
// Adds the CORS headers etcd 3.4 sends on every response.
void AddCors(http::Headers* headers);

}  // namespace api
