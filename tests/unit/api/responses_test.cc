// Response builders: the 404 texts of unrouted paths.
#include "server/api/responses.h"

#include <doctest/doctest.h>

TEST_SUITE("api") {

TEST_CASE("unrouted paths get Go's mux 404, the v3 gateway's under /v3/ and /v3beta") {
  for (const char* path : {"/", "/v2", "/v2/keysx", "/v3", "/v3alpha/x", "/v3betax", "/version/"}) {
    CAPTURE(path);
    http::Response r = api::NotFound(path);
    CHECK(r.status == 404);
    CHECK(r.body == "404 page not found\n");
  }
  for (const char* path : {"/v3/", "/v3/keys", "/v3/kv/x/y", "/v3beta", "/v3beta/foo"}) {
    CAPTURE(path);
    http::Response r = api::NotFound(path);
    CHECK(r.status == 404);
    CHECK(r.body == "Not Found\n");
    CHECK(r.headers.front().second == "text/plain; charset=utf-8");
  }
}

}  // TEST_SUITE
