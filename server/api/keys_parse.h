// Turns a /v2/keys HTTP request into the etcdserver::Request it asks for, or
// into the v2 error etcd 3.4 answers (shared/spec/keys-api.md §2.1, §2.2, §8):
// the parameter rules and the exact validation order of etcd's
// parseKeyRequest, on top of Go's form parsing (form.h).
//
// Pure function of the request, the key and the clock reading; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "server/etcdserver/request.h"
#include "server/http/http.h"
#include "server/store/errors.h"

namespace api {

struct KeysRequest {
  etcdserver::Request req;
  bool head = false;                // HEAD: answer headers only
  bool no_value_on_success = false; // noValueOnSuccess=true
};

// `key` is the decoded path after "/v2/keys" ("" or "/" for the root,
// "/foo/bar", a trailing '/' allowed), as Go's ServeMux hands it over: callers
// redirect unclean paths first (MuxCleanRedirect). `now_ns` is this member's
// Unix clock in ns, used to turn `ttl` into an absolute expire time.
//
// On success req.path is the store path "/1" + key cleaned, req.method the
// HTTP method, except that HEAD becomes GET with head=true and quorum=false
// (etcd serves HEAD from the local store whatever quorum says).
// req.expiration_ns is now + ttl s in Go's wrapping int64 arithmetic (0 when
// ttl is absent or empty): a ttl whose nanoseconds overflow yields a time far
// in the past, which Set/Create treat as permanent and Update/CAS keep (the
// node then expires at the next sweep), exactly as etcd 3.4 does.
//
// Errors (HTTP 400, index 0), first failure wins: 209 key over the limits
// of store/key_limits.h (for POST, the in-order key it would create), 210
// form (Go's error text, or "http: POST too large" when r.body_too_large and
// the body is a form),
// 203 prevIndex, 203 waitIndex, 209 recursive/sorted/wait/dir/quorum/stream,
// 209 wait on a non-GET, 201 empty prevValue, 209 noValueOnSuccess, 202 ttl,
// 209 prevExist, 209 refresh, 211 value on refresh, 212 refresh without ttl.
store::V2Result<KeysRequest> ParseKeysRequest(const http::Request& r, const std::string& key,
                                              int64_t now_ns);

}  // namespace api
