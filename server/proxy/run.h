// Running kvraft as etcd's v2 proxy: the decision (etcd's data dir rules),
// where the first peer URLs come from, and the process's main loop.
//
// Called from main() only; not thread-safe.
#pragma once

#include <signal.h>

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "server/config/config.h"

namespace proxy {

// As etcd: a data dir holding "proxy" runs a proxy whatever the flags say,
// one holding "member" runs a member; an empty one follows --proxy.
bool ShouldRun(const config::Config& cfg);

// The peer URLs a proxy first asks for the member list (sorted). The state
// file wins over everything when present; otherwise, in etcd's order,
// --discovery (read without registering; a wait ends when `stop` says so),
// then --discovery-srv, then --initial-cluster (names ignored).
common::Result<std::vector<std::string>> FirstPeerUrls(const config::Config& cfg,
                                                       const std::function<bool()>& stop);

// Serves as a proxy until one of `stop_signals` (already blocked in every
// thread) arrives. Returns the process's exit code.
int Run(const config::Config& cfg, const sigset_t& stop_signals);

}  // namespace proxy
