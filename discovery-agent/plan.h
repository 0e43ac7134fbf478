// The agent's pure core: what the server flags ask for (which bootstrap
// source, which member), and how a found bootstrap is handed to the server
// (its argv and environment in entrypoint mode, the env file in sidecar mode).
// No I/O; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "discovery-agent/args.h"
#include "discovery-agent/env_file.h"

namespace agent {

enum class Source { kStatic, kToken, kSrv };

// The server settings the agent acts on, with etcd 3.4's defaults filled in.
struct Settings {
  Source source = Source::kStatic;
  std::string name;
  std::string data_dir;
  std::string advertise_peer_urls;  // comma-separated, as given
  std::string initial_cluster;      // the static list, given or default
  std::string initial_cluster_state;
  std::string initial_cluster_token;
  std::string discovery;  // token URL
  std::string discovery_srv;
  std::string discovery_srv_name;
  std::string discovery_fallback;  // proxy | exit
  std::string discovery_proxy;
  std::string proxy;  // off | on | readonly: a proxy reads the cluster, it does not join it
};

// Reads and checks the settings; errors are the reason to print (etcd's text
// for conflicting bootstrap sources).
common::Result<Settings> ReadSettings(const Invocation& inv);

// What discovery found.
struct Bootstrap {
  std::string initial_cluster;  // "name=url,..."
  std::string state;            // new | existing
  std::string token;
  std::string proxy = "off";  // --proxy as given, or "on" when the cluster was full and the fallback is proxy
};

// The host names of the peer URLs of an initial cluster ("name=url,...").
common::Result<std::vector<std::string>> PeerHosts(const std::string& initial_cluster);

// Entrypoint mode: the server's argv (without argv[0]) and environment. The
// bootstrap flags and ETCD_* variables the agent replaces are dropped, so the
// server sees one bootstrap source and no variable shadowed by a flag.
std::vector<std::string> ServerArgs(const Invocation& inv, const Bootstrap& b);
Environment ServerEnv(const Invocation& inv);

// Sidecar mode: the env file's lines.
EnvLines EnvFileLines(const Settings& s, const Bootstrap& b);

}  // namespace agent
