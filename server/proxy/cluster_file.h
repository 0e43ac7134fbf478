// The proxy's state file, <data-dir>/proxy/cluster: the cluster's peer URLs as
// JSON {"PeerURLs":[...]} (etcd's format, so an etcd proxy's data dir works
// here and back). Once it exists it wins over every other peer source.
//
// Thread-compatible: callers serialise writes (only the refresh loop writes).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace proxy {

// "<data_dir>/proxy": etcd's marker that a data dir belongs to a proxy.
std::string ProxyDir(const std::string& data_dir);

// The peer URLs in `proxy_dir`/cluster. NotFound when there is no file;
// Corruption when it does not parse.
common::Result<std::vector<std::string>> ReadClusterFile(const std::string& proxy_dir);

// The peer URLs in a cluster file's text; `path` names it in errors.
common::Result<std::vector<std::string>> ParseClusterFile(const std::string& text, const std::string& path);

// Replaces the file atomically (write "cluster.bak", fsync, rename), as etcd does.
common::Status WriteClusterFile(const std::string& proxy_dir, const std::vector<std::string>& peer_urls);

}  // namespace proxy
