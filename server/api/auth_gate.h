// Who may do what while v2 auth is on, by etcd 3.4's rules (client_auth.go):
// a /v2/keys request needs its user's (or, without an Authorization header,
// the guest role's) read permission for GET and HEAD, write for the rest,
// the recursive rule for recursive=true (never for guests); member changes
// and /v2/auth/* need the root role. Credentials that are present but
// malformed, name no user or carry a wrong password are refused, with no
// fallback to guest.
//
// Passwords are checked by the LoginChecker: at once from a proof, or after
// a bcrypt on its worker thread, so the callback may run on either thread.
// A seam for TLS: with client certificates a request without an
// Authorization header would name its user here (etcd's --client-cert-auth);
// kvraft has no TLS yet, so such requests are the guest.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "server/api/context.h"
#include "server/http/http.h"

namespace api {

enum class Gate {
  kAllowed,
  kDenied,       // the user (or guest) lacks the permission
  kLoginFailed,  // malformed credentials, no such user or a wrong password
  kBusy,         // too many password checks waiting
};
using GateCallback = std::function<void(Gate)>;

// Read (GET, HEAD) or write access to `key`, the path after /v2/keys as sent.
void CheckKeyAccess(Context& ctx, const http::Request& req, const std::string& key, bool recursive,
                    GateCallback then);
// The root role.
void CheckRootAccess(Context& ctx, const http::Request& req, GateCallback then);

// Answers a refusal: `denial` at once for kDenied; `denial` after a delay
// for kLoginFailed and 503 after it for kBusy, so that guessing passwords
// holds the guesser's connection, not a thread or the CPU.
void Refuse(Context& ctx, Gate gate, http::Response denial, const std::shared_ptr<http::Exchange>& ex);

// etcd's 401 for the admin endpoints: {"message":"Insufficient credentials"}.
http::Response InsufficientCredentials();

}  // namespace api
