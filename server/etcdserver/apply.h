// Applying one committed v2 request to the store: the same on every member,
// so it reads no clock (expire times and the SYNC time travel in the request).
#pragma once

#include <optional>

#include "server/etcdserver/request.h"
#include "server/store/store.h"

namespace etcdserver {

// The store's answer to one applied request: an event or a v2 error.
struct ApplyResult {
  std::optional<store::Event> event;
  store::V2Error error;  // meaningful when !event
};

// Dispatches as etcd's applyV2Request: POST create-unique; PUT set / create /
// update / compare-and-swap by prevExist, prevValue and prevIndex; DELETE
// delete or compare-and-delete; GET (a quorum read) get; SYNC expires keys.
ApplyResult ApplyRequest(store::Store& st, const Request& r);

}  // namespace etcdserver
