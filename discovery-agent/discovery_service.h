// `kvraft-agent discovery-service`: a self-hosted discovery service like
// discovery.etcd.io, backed by the /v2/keys of a kvraft (or etcd) cluster.
//
//   GET /new[?size=N]         new token (16 random bytes, hex) with
//                             <prefix>/<token>/_config/size = N (default 3);
//                             200 body "<public URL>/<token>"; bad size -> 400
//   GET|PUT|DELETE /<token>[/<key>...]
//                             proxied to <endpoint>/v2/keys<prefix>/<token>[/...]
//                             with the same query and body
//   GET /health               200 when a backing endpoint is healthy
//
// The token URLs it hands out are ordinary `--discovery` URLs for kvraft and
// real etcd members alike. Keys under a token are never cleaned up, as with
// the public service. Handlers run on a pool of threads and share only the
// immutable configuration.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace agent {

struct ServiceConfig {
  std::string listen_host;
  int listen_port = 0;
  std::vector<std::string> endpoints;  // backing cluster client URLs, tried in order
  std::string public_url;              // "" = http://<Host header of the request>
  std::string prefix = "/_etcd/registry";
};

// The subcommand's flags (after "discovery-service").
common::Result<ServiceConfig> ParseServiceArgs(const std::vector<std::string>& args);

// The size of GET /new: default 3; else the reason for the 400 (Go's
// strconv.Atoi text for a non-integer).
common::Result<int> ParseClusterSize(const std::string* value);

// 32 lower-case hex characters from the kernel's CSPRNG (getrandom(2)).
common::Result<std::string> NewToken();

// Serves until killed; returns an exit code when it cannot start.
int RunDiscoveryService(const std::vector<std::string>& args);

}  // namespace agent
