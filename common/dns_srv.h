// DNS SRV lookups with c-ares: etcd's `--discovery-srv` (peer records build an
// initial cluster) and client endpoint discovery (`_etcd-client._tcp`).
// Spec: ../shared/spec/clustering.md section 4; c-ares facts in
// ../shared/notes/test-infra.md.
//
// The rules (names, matching, errors) live in common/srv_discovery.h; this
// file adds the DNS lookups.
//
// Thread-safe: each call uses its own c-ares channel.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/srv_discovery.h"
#include "common/status.h"

namespace common {

struct DnsOptions {
  // c-ares server list "ip:port,..."; "" uses the system's resolv.conf.
  std::string servers;
  std::chrono::milliseconds timeout{std::chrono::seconds(2)};
  int tries = 2;

  // Defaults, with `servers` from $KVRAFT_DNS_SERVERS when set (kvraft's own
  // variable: points lookups at a DNS server on a non-standard port).
  static DnsOptions FromEnvironment();
};

// The records of one SRV name ("_etcd-server._tcp.example.com"), ordered by
// SortSrvRecords.
Result<std::vector<SrvRecord>> LookupSrv(const std::string& name, const DnsOptions& options);

// The records of a DNS answer message to the SRV query for `name`, as
// LookupSrv returns them before sorting (c-ares parses the message; targets
// lose their trailing dot). Errors name `name`, as LookupSrv's do.
Result<std::vector<SrvRecord>> ParseSrvAnswer(const std::string& name, const unsigned char* answer, int length);

// The IP addresses (text form) of a host name or IP literal; /etc/hosts is
// read before DNS, as etcd's resolver does.
Result<std::vector<std::string>> ResolveHost(const std::string& host, const DnsOptions& options);

// The initial cluster ("name=url,...") from _etcd-server-ssl[-NAME]._tcp and
// _etcd-server[-NAME]._tcp records of `domain`, recognising this member by its
// advertised peer URLs. `member_mode` requires `name` to be found.
// BuildSrvInitialCluster with these lookups.
Result<std::string> SrvInitialCluster(const std::string& domain, const std::string& service_name,
                                      const std::string& name, const std::string& advertise_peer_urls,
                                      bool member_mode, const DnsOptions& options);

// Client URLs from _etcd-client-ssl[-NAME]._tcp and _etcd-client[-NAME]._tcp
// (BuildSrvClientUrls with these lookups).
Result<std::vector<std::string>> SrvClientUrls(const std::string& domain, const std::string& service_name,
                                               const DnsOptions& options);

}  // namespace common
