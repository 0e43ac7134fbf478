// The writes of /v2/auth: each is read-check-propose as etcd's v2auth store
// does it, through ordinary v2 writes under /2 that every member applies
// from the log. Before its first write etcd creates /2, /2/users, /2/roles
// and /2/enabled=false; so does kvraft (only those missing, so the store
// index moves as etcd's does). Updates are compare-and-swaps on the record
// read (etcd overwrites blindly); one that lost a race is worked out again
// from the new record. New passwords are hashed on the password checker's
// worker.
//
// Threads: start on any thread; `done` runs on the Raft loop or the
// password worker, and must not block.
#pragma once

#include <functional>
#include <string>

#include "server/api/context.h"
#include "server/auth/records.h"
#include "server/http/http.h"

namespace api {

using AuthDone = std::function<void(http::Response)>;

// A /v2/auth answer: JSON body (already ending in "\n" for success bodies),
// X-Etcd-Cluster-Id and CORS headers.
http::Response AuthAnswer(Context& ctx, int status, std::string body);
// {"message": message} without a trailing newline, as etcd writes errors.
http::Response AuthMessage(Context& ctx, int status, const std::string& message);

// PUT of a user with roles (200) or, from CreateOrUpdateUser, without (201).
void CreateUser(Context& ctx, auth::User user, int status, AuthDone done);
// PUT of a user with only a password: an update if the user exists, else a create.
void CreateOrUpdateUser(Context& ctx, auth::User user, AuthDone done);
// PUT of a user with grant/revoke (and perhaps a password).
void UpdateUser(Context& ctx, auth::User change, AuthDone done);
void DeleteUser(Context& ctx, const std::string& name, AuthDone done);

void CreateRole(Context& ctx, auth::Role role, AuthDone done);
void UpdateRole(Context& ctx, auth::Role change, AuthDone done);
void DeleteRole(Context& ctx, const std::string& name, AuthDone done);

// PUT/DELETE /v2/auth/enable.
void EnableAuth(Context& ctx, AuthDone done);
void DisableAuth(Context& ctx, AuthDone done);

}  // namespace api
