// The rules of etcd's DNS SRV discovery, apart from DNS itself: which SRV
// names to ask, how records become peer or client URLs, how this member is
// recognised among them. The lookups are passed in (c-ares in dns_srv.cc,
// fakes in tests). Spec: ../shared/spec/clustering.md section 4.
//
// kvraft follows etcd 3.5 (both record sets are read; 3.4's issue 11321 is
// not copied), except that peers are http only until TLS is supported: the
// plain set is used, and a domain with only -ssl peer records is an error.
//
// Pure functions of their arguments; thread-safe if the lookups are.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace common {

struct SrvRecord {
  std::string target;  // without the trailing dot
  int port = 0;
  int priority = 0;
  int weight = 0;
};

struct SrvLookups {
  // The records of one SRV name, in the order to use them.
  std::function<Result<std::vector<SrvRecord>>(const std::string& name)> srv;
  // The IP addresses (text form) of a host name or IP literal.
  std::function<Result<std::vector<std::string>>(const std::string& host)> resolve;
};

// Orders records by priority (lowest first), then weight (highest first),
// then target and port, so every member reads the same order (RFC 2782's
// weighted random choice would make the order differ between members).
void SortSrvRecords(std::vector<SrvRecord>* records);

// "_<service>[-ssl][-<suffix>]._tcp.<domain>", as etcd names its records
// (service "etcd-server" or "etcd-client", suffix from --discovery-srv-name).
std::string SrvName(const std::string& service, bool ssl, const std::string& suffix,
                    const std::string& domain);

// The initial cluster ("name=url,...", records in order) for --discovery-srv.
// A record is this member's when its target:port equals one of
// `advertise_peer_urls` (comma-separated) by host name or by resolved
// address; it is then named `name`, the others "0", "1", ... URLs keep the
// record's host name. `member_mode` requires this member to be found (a proxy
// need not be). Errors say which records were asked for and what was found.
Result<std::string> BuildSrvInitialCluster(const SrvLookups& dns, const std::string& domain,
                                           const std::string& suffix, const std::string& name,
                                           const std::string& advertise_peer_urls, bool member_mode);

// Client URLs from the -ssl (https) then plain (http) client records; an
// error only when neither lookup found any.
Result<std::vector<std::string>> BuildSrvClientUrls(const SrvLookups& dns, const std::string& domain,
                                                    const std::string& suffix);

}  // namespace common
