// etcd's DNS SRV discovery rules over injected lookups.
#include "common/srv_discovery.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "common/go_quote.h"
#include "common/url.h"

namespace common {
namespace {

constexpr char kServerService[] = "etcd-server";
constexpr char kClientService[] = "etcd-client";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Endpoint(const std::string& host, const std::string& port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

std::string Endpoint(const std::string& host, int port) { return Endpoint(host, std::to_string(port)); }

// One of this member's advertised peer URLs, with the keys a record may match.
struct OwnUrl {
  Url url;
  std::string name_key;              // lower-case host:port
  std::set<std::string> addr_keys;   // ip:port of each resolved address
  bool matched = false;
};

Result<std::vector<OwnUrl>> ResolveOwnUrls(const SrvLookups& dns, const std::string& advertise_peer_urls) {
  Result<std::vector<Url>> urls = ParseUrls(advertise_peer_urls);
  if (!urls.ok()) return urls.status();
  std::vector<OwnUrl> own;
  for (const Url& u : *urls) {
    OwnUrl o{u, Lower(Endpoint(u.host, u.port)), {}, false};
    Result<std::vector<std::string>> addrs = dns.resolve(u.host);
    if (!addrs.ok()) {
      return Status::InvalidArgument("cannot resolve --initial-advertise-peer-urls " + u.String() + ": " +
                                     addrs.status().message());
    }
    for (const std::string& a : *addrs) o.addr_keys.insert(Endpoint(a, u.port));
    own.push_back(std::move(o));
  }
  return own;
}

// What one SRV record set (plain or -ssl) yields.
struct PeerSet {
  std::string srv_name;
  bool found = false;                                   // the lookup returned records
  std::vector<std::pair<std::string, std::string>> entries;  // name, url
  std::vector<std::string> problems;                    // lookup error or skipped records
  std::vector<std::string> targets;                     // target:port of every record
};

PeerSet ReadPeerSet(const SrvLookups& dns, const std::string& srv_name, const std::string& scheme,
                    const std::string& name, std::vector<OwnUrl>* own) {
  PeerSet set;
  set.srv_name = srv_name;
  Result<std::vector<SrvRecord>> records = dns.srv(srv_name);
  if (!records.ok()) {
    set.problems.push_back(records.status().message());
    return set;
  }
  set.found = !records->empty();
  int next_temp_name = 0;
  for (const SrvRecord& r : *records) {
    const std::string host_port = Endpoint(r.target, r.port);
    set.targets.push_back(host_port);
    Result<std::vector<std::string>> addrs = dns.resolve(r.target);
    if (!addrs.ok()) {
      set.problems.push_back("skipped " + host_port + ": " + addrs.status().message());
      continue;
    }
    OwnUrl* mine = nullptr;
    for (OwnUrl& o : *own) {
      bool by_addr = std::any_of(addrs->begin(), addrs->end(), [&](const std::string& a) {
        return o.addr_keys.count(Endpoint(a, r.port)) > 0;
      });
      if (o.name_key == Lower(host_port) || by_addr) mine = &o;
    }
    const std::string url = scheme + "://" + host_port;
    if (mine != nullptr && mine->url.scheme != scheme) {
      set.problems.push_back("bootstrap at " + url + " from DNS for " + srv_name +
                             " has scheme mismatch with expected peer " + mine->url.String());
      continue;
    }
    if (mine != nullptr) mine->matched = true;
    set.entries.emplace_back(mine != nullptr ? name : std::to_string(next_temp_name++), url);
  }
  return set;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string QueryError(const PeerSet& set) {
  return "error querying DNS SRV records for " + set.srv_name + ": " +
         (set.problems.empty() ? "no records" : Join(set.problems, "; "));
}

}  // namespace

void SortSrvRecords(std::vector<SrvRecord>* records) {
  std::sort(records->begin(), records->end(), [](const SrvRecord& a, const SrvRecord& b) {
    return std::make_tuple(a.priority, -a.weight, a.target, a.port) <
           std::make_tuple(b.priority, -b.weight, b.target, b.port);
  });
}

std::string SrvName(const std::string& service, bool ssl, const std::string& suffix,
                    const std::string& domain) {
  return "_" + service + (ssl ? "-ssl" : "") + (suffix.empty() ? "" : "-" + suffix) + "._tcp." + domain;
}

Result<std::string> BuildSrvInitialCluster(const SrvLookups& dns, const std::string& domain,
                                           const std::string& suffix, const std::string& name,
                                           const std::string& advertise_peer_urls, bool member_mode) {
  Result<std::vector<OwnUrl>> own = ResolveOwnUrls(dns, advertise_peer_urls);
  if (!own.ok()) return own.status();
  PeerSet tls = ReadPeerSet(dns, SrvName(kServerService, true, suffix, domain), "https", name, &*own);
  for (OwnUrl& o : *own) o.matched = false;  // only the set in use counts
  PeerSet plain = ReadPeerSet(dns, SrvName(kServerService, false, suffix, domain), "http", name, &*own);

  if (!plain.found && tls.found) {
    return Status::InvalidArgument("DNS SRV discovery found only " + tls.srv_name + " records (" +
                                   Join(tls.targets, ", ") + "), which are https peers: TLS is not "
                                   "supported by this build yet; publish " + plain.srv_name +
                                   " records for http peers");
  }
  if (plain.entries.empty()) {
    return Status::InvalidArgument(QueryError(tls) + "; " + QueryError(plain));
  }
  std::vector<std::string> parts;
  bool has_self = false;
  for (const auto& [n, url] : plain.entries) {
    parts.push_back(n + "=" + url);
    has_self |= n == name;
  }
  if (member_mode && !has_self) {
    std::string why = plain.srv_name + " lists " + Join(plain.targets, ", ") +
                      "; none is --initial-advertise-peer-urls=" + advertise_peer_urls +
                      " by host name or resolved address";
    if (!plain.problems.empty()) why += "; " + Join(plain.problems, "; ");
    return Status::InvalidArgument("cannot find local etcd member " + GoQuote(name) + " in SRV records (" +
                                   why + ")");
  }
  if (member_mode) {
    for (const OwnUrl& o : *own) {
      if (o.matched) continue;
      return Status::InvalidArgument("--initial-advertise-peer-urls has " + o.url.String() +
                                     " but no record of " + plain.srv_name + " (" +
                                     Join(plain.targets, ", ") + ") matches it");
    }
  }
  return Join(parts, ",");
}

Result<std::vector<std::string>> BuildSrvClientUrls(const SrvLookups& dns, const std::string& domain,
                                                    const std::string& suffix) {
  std::vector<std::string> urls;
  std::vector<std::string> errors;
  for (bool ssl : {true, false}) {
    const std::string srv_name = SrvName(kClientService, ssl, suffix, domain);
    Result<std::vector<SrvRecord>> records = dns.srv(srv_name);
    if (!records.ok() || records->empty()) {
      errors.push_back(records.ok() ? srv_name + ": no records" : records.status().message());
      continue;
    }
    for (const SrvRecord& r : *records) urls.push_back((ssl ? "https://" : "http://") + Endpoint(r.target, r.port));
  }
  if (urls.empty()) return Status::NotFound("dns lookup errors: " + Join(errors, " and "));
  return urls;
}

}  // namespace common
