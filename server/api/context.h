// What the API handlers serve from: the member's server and store, the auth
// rules read from it and the password checker. The handlers hold no state of
// their own beyond the watch dispatcher.
#pragma once

#include "server/api/snapshot_service.h"
#include "server/api/watch_dispatcher.h"
#include "server/auth/login.h"
#include "server/auth/state.h"
#include "server/etcdserver/server.h"
#include "server/store/store.h"

namespace api {

struct Context {
  etcdserver::EtcdServer& server;
  store::Store& store;
  WatchDispatcher& watches;
  auth::AuthStateCache& auth;
  auth::LoginChecker& logins;
  SnapshotService* snapshots = nullptr;  // GET /kvraft/snapshot; none: 404
};

}  // namespace api
