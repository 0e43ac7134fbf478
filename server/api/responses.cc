#include "server/api/responses.h"

#include "common/member_id.h"

namespace api {

http::Response MethodNotAllowed(const std::string& allow) {
  http::Response r = TextError(405, "Method Not Allowed");
  r.headers.emplace_back("Allow", allow);
  return r;
}

http::Response Json(int status, std::string body) {
  http::Response r;
  r.status = status;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::move(body);
  return r;
}

http::Response NotFound(const std::string& path) {
  const bool gateway = path.compare(0, 4, "/v3/") == 0 || path == "/v3beta" ||
                       path.compare(0, 8, "/v3beta/") == 0;
  return TextError(404, gateway ? "Not Found" : "404 page not found");
}

http::Response KeysError(const store::V2Error& err, uint64_t cluster_id) {
  http::Response r = Json(err.HttpStatus(), err.Json());
  r.headers.emplace_back("X-Etcd-Cluster-Id", common::FormatId(cluster_id));
  r.headers.emplace_back("X-Etcd-Index", std::to_string(err.index));
  return r;
}

// In the order the server sorts them into, which makes sorting them cheap.
void AddCors(http::Headers* headers) {
  headers->emplace_back("Access-Control-Allow-Headers", "accept, content-type, authorization");
  headers->emplace_back("Access-Control-Allow-Methods", "POST, GET, OPTIONS, PUT, DELETE");
  headers->emplace_back("Access-Control-Allow-Origin", "*");
}

}  // namespace api
