// The initial cluster map (`--initial-cluster name=url,name=url`) and etcd's
// bootstrap checks on it, with etcd 3.4's error texts. Pure functions (no DNS:
// URLs are compared as strings); thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/url.h"
#include "server/config/config.h"

namespace config {

// Member name -> its peer URLs (sorted). A name may repeat in the input to
// give a member several URLs; empty items are skipped; "name" without '='
// means an empty URL (which then fails the URL check, as in etcd).
using UrlsMap = std::map<std::string, std::vector<common::Url>>;

common::Result<UrlsMap> ParseUrlsMap(const std::string& s);

// "name=url,..." with the pairs sorted, as etcd prints a map.
std::string UrlsMapString(const UrlsMap& m);

// True when two members (or one twice) share a URL.
bool HasDuplicateUrl(const UrlsMap& m);

struct BootstrapPeers {
  UrlsMap peers;
  std::string token;  // hashed into member IDs
};

// The peers and token a member bootstraps with (etcd's PeerURLsMapAndToken):
// with --discovery, {name: initial-advertise-peer-urls} and the discovery URL
// as token; otherwise --initial-cluster and --initial-cluster-token.
// DNS SRV discovery is not handled here. Errors are prefixed
// "error setting up initial cluster: ".
common::Result<BootstrapPeers> PeerUrlsMapAndToken(const Config& cfg);

// Checks for a new member without a WAL (--initial-cluster-state new), in
// etcd's order: own name present, own URLs equal the map's, no duplicate URL,
// map or discovery set.
common::Status VerifyBootstrap(const Config& cfg, const UrlsMap& peers);

// Checks for --initial-cluster-state existing: own name present, no duplicate
// URL, no --discovery.
common::Status VerifyJoinExisting(const Config& cfg, const UrlsMap& peers);

}  // namespace config
