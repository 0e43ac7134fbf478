// DNS SRV discovery rules over a fake DNS: record names, order, own-member
// matching, URLs and the errors a user sees. c-ares against a DNS server that
// does not answer is covered at the end; real dnsmasq in test_dns_srv.py.
#include "common/srv_discovery.h"

#include <doctest/doctest.h>

#include <map>

#include "common/dns_srv.h"

namespace {

using common::Result;
using common::SrvRecord;
using common::Status;

// A zone: SRV names -> records (unsorted), host names -> addresses.
struct FakeDns {
  std::map<std::string, std::vector<SrvRecord>> srv;
  std::map<std::string, std::vector<std::string>> hosts;
  std::vector<std::string> asked;

  common::SrvLookups Lookups() {
    return {[this](const std::string& name) -> Result<std::vector<SrvRecord>> {
              asked.push_back(name);
              auto it = srv.find(name);
              if (it == srv.end()) return Status::NotFound("lookup " + name + ": Domain name not found");
              return it->second;
            },
            [this](const std::string& host) -> Result<std::vector<std::string>> {
              if (host.find_first_not_of("0123456789.") == std::string::npos) {
                return std::vector<std::string>{host};  // an IP literal, as ResolveHost
              }
              auto it = hosts.find(host);
              if (it == hosts.end()) return Status::NotFound("lookup " + host + ": Domain name not found");
              return it->second;
            }};
  }
};

// Three members m0..m2.example.com on 127.0.0.11..13, port 2380.
FakeDns ThreeMembers(const std::string& srv_name = "_etcd-server._tcp.example.com") {
  FakeDns dns;
  for (int i = 0; i < 3; ++i) {
    const std::string host = "m" + std::to_string(i) + ".example.com";
    dns.srv[srv_name].push_back(SrvRecord{host, 2380, 0, 0});
    dns.hosts[host] = {"127.0.0.1" + std::to_string(i + 1)};
  }
  return dns;
}

Result<std::string> Cluster(FakeDns& dns, const std::string& name, const std::string& urls,
                            const std::string& suffix = "", bool member_mode = true) {
  return common::BuildSrvInitialCluster(dns.Lookups(), "example.com", suffix, name, urls, member_mode);
}

}  // namespace

TEST_SUITE("common") {
  TEST_CASE("SRV names follow etcd, with the --discovery-srv-name suffix after -ssl") {
    CHECK(common::SrvName("etcd-server", false, "", "example.com") == "_etcd-server._tcp.example.com");
    CHECK(common::SrvName("etcd-server", true, "", "example.com") == "_etcd-server-ssl._tcp.example.com");
    CHECK(common::SrvName("etcd-server", true, "prod", "example.com") ==
          "_etcd-server-ssl-prod._tcp.example.com");
    CHECK(common::SrvName("etcd-client", false, "prod", "a.b") == "_etcd-client-prod._tcp.a.b");
  }

  TEST_CASE("SRV records sort by priority, then higher weight, then target and port") {
    std::vector<SrvRecord> r = {{"c", 1, 10, 5}, {"b", 2, 0, 1}, {"a", 3, 0, 9}, {"a", 1, 0, 9}, {"z", 1, 10, 50}};
    common::SortSrvRecords(&r);
    std::vector<std::string> got;
    for (const auto& x : r) got.push_back(x.target + ":" + std::to_string(x.port));
    CHECK(got == std::vector<std::string>{"a:1", "a:3", "b:2", "z:1", "c:1"});
  }

  TEST_CASE("the own member is matched by resolved address; others are named 0, 1 with host-name URLs") {
    FakeDns dns = ThreeMembers();
    auto c = Cluster(dns, "infra1", "http://127.0.0.12:2380");
    REQUIRE(c.ok());
    CHECK(*c == "0=http://m0.example.com:2380,infra1=http://m1.example.com:2380,1=http://m2.example.com:2380");
    CHECK(dns.asked == std::vector<std::string>{"_etcd-server-ssl._tcp.example.com", "_etcd-server._tcp.example.com"});
  }

  TEST_CASE("the own member is matched by host name, case-insensitively") {
    FakeDns dns = ThreeMembers();
    dns.hosts["M2.Example.com"] = {"10.9.9.9"};  // the own URL's host resolves elsewhere: the name decides
    auto c = Cluster(dns, "infra2", "http://M2.Example.com:2380");
    REQUIRE(c.ok());
    CHECK(*c == "0=http://m0.example.com:2380,1=http://m1.example.com:2380,infra2=http://m2.example.com:2380");
  }

  TEST_CASE("a matching address on another port is not this member") {
    FakeDns dns = ThreeMembers();
    auto c = Cluster(dns, "infra0", "http://127.0.0.11:2390");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() ==
          "cannot find local etcd member \"infra0\" in SRV records (_etcd-server._tcp.example.com lists "
          "m0.example.com:2380, m1.example.com:2380, m2.example.com:2380; none is "
          "--initial-advertise-peer-urls=http://127.0.0.11:2390 by host name or resolved address)");
  }

  TEST_CASE("a proxy need not be among the records") {
    FakeDns dns = ThreeMembers();
    auto c = Cluster(dns, "p", "http://127.0.0.99:2380", "", /*member_mode=*/false);
    REQUIRE(c.ok());
    CHECK(*c == "0=http://m0.example.com:2380,1=http://m1.example.com:2380,2=http://m2.example.com:2380");
  }

  TEST_CASE("no records at all names both record sets") {
    FakeDns dns;
    auto c = Cluster(dns, "infra0", "http://127.0.0.11:2380");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() ==
          "error querying DNS SRV records for _etcd-server-ssl._tcp.example.com: lookup "
          "_etcd-server-ssl._tcp.example.com: Domain name not found; error querying DNS SRV records for "
          "_etcd-server._tcp.example.com: lookup _etcd-server._tcp.example.com: Domain name not found");
  }

  TEST_CASE("only -ssl peer records: TLS is not supported yet") {
    FakeDns dns = ThreeMembers("_etcd-server-ssl._tcp.example.com");
    auto c = Cluster(dns, "infra0", "http://127.0.0.11:2380");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() ==
          "DNS SRV discovery found only _etcd-server-ssl._tcp.example.com records (m0.example.com:2380, "
          "m1.example.com:2380, m2.example.com:2380), which are https peers: TLS is not supported by this "
          "build yet; publish _etcd-server._tcp.example.com records for http peers");
  }

  TEST_CASE("with both record sets the plain (http) ones are used") {
    FakeDns dns = ThreeMembers();
    dns.srv["_etcd-server-ssl._tcp.example.com"] = {{"s0.example.com", 2380, 0, 0}};
    dns.hosts["s0.example.com"] = {"127.0.0.11"};
    auto c = Cluster(dns, "infra0", "http://127.0.0.11:2380");
    REQUIRE(c.ok());
    CHECK(*c == "infra0=http://m0.example.com:2380,0=http://m1.example.com:2380,1=http://m2.example.com:2380");
  }

  TEST_CASE("the suffix selects other records") {
    FakeDns dns = ThreeMembers("_etcd-server-blue._tcp.example.com");
    CHECK_FALSE(Cluster(dns, "infra0", "http://127.0.0.11:2380").ok());
    auto c = Cluster(dns, "infra0", "http://127.0.0.11:2380", "blue");
    REQUIRE(c.ok());
    CHECK(*c == "infra0=http://m0.example.com:2380,0=http://m1.example.com:2380,1=http://m2.example.com:2380");
  }

  TEST_CASE("unresolvable targets are skipped, and said so when this member is then missing") {
    FakeDns dns = ThreeMembers();
    dns.hosts.erase("m1.example.com");
    auto ok = Cluster(dns, "infra0", "http://127.0.0.11:2380");
    REQUIRE(ok.ok());
    CHECK(*ok == "infra0=http://m0.example.com:2380,0=http://m2.example.com:2380");
    auto missing = Cluster(dns, "infra1", "http://127.0.0.12:2380");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().message().find("skipped m1.example.com:2380: lookup m1.example.com: Domain name not found") !=
          std::string::npos);
  }

  TEST_CASE("an unresolvable own URL and a scheme mismatch are errors") {
    FakeDns dns = ThreeMembers();
    auto c = Cluster(dns, "infra0", "http://nowhere.example.com:2380");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() ==
          "cannot resolve --initial-advertise-peer-urls http://nowhere.example.com:2380: lookup "
          "nowhere.example.com: Domain name not found");
    auto https = Cluster(dns, "infra0", "https://127.0.0.11:2380");
    REQUIRE_FALSE(https.ok());
    CHECK(https.status().message().find("bootstrap at http://m0.example.com:2380 from DNS for "
                                        "_etcd-server._tcp.example.com has scheme mismatch with expected "
                                        "peer https://127.0.0.11:2380") != std::string::npos);
  }

  TEST_CASE("every advertised peer URL must be in the records") {
    FakeDns dns = ThreeMembers();
    auto c = Cluster(dns, "infra0", "http://127.0.0.11:2380,http://127.0.0.11:2390");
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().message() ==
          "--initial-advertise-peer-urls has http://127.0.0.11:2390 but no record of "
          "_etcd-server._tcp.example.com (m0.example.com:2380, m1.example.com:2380, m2.example.com:2380) "
          "matches it");
  }

  TEST_CASE("client URLs: -ssl as https first, then plain as http; an error when neither exists") {
    FakeDns dns;
    dns.srv["_etcd-client._tcp.example.com"] = {{"m0.example.com", 2379, 0, 0}, {"m1.example.com", 2379, 0, 0}};
    auto plain = common::BuildSrvClientUrls(dns.Lookups(), "example.com", "");
    REQUIRE(plain.ok());
    CHECK(*plain == std::vector<std::string>{"http://m0.example.com:2379", "http://m1.example.com:2379"});
    dns.srv["_etcd-client-ssl-x._tcp.example.com"] = {{"s.example.com", 2379, 0, 0}};
    dns.srv["_etcd-client-x._tcp.example.com"] = {{"p.example.com", 2379, 0, 0}};
    auto both = common::BuildSrvClientUrls(dns.Lookups(), "example.com", "x");
    REQUIRE(both.ok());
    CHECK(*both == std::vector<std::string>{"https://s.example.com:2379", "http://p.example.com:2379"});
    auto none = common::BuildSrvClientUrls(dns.Lookups(), "other.com", "");
    REQUIRE_FALSE(none.ok());
    CHECK(none.status().message() ==
          "dns lookup errors: lookup _etcd-client-ssl._tcp.other.com: Domain name not found and lookup "
          "_etcd-client._tcp.other.com: Domain name not found");
  }

  TEST_CASE("c-ares: a DNS server that does not answer is a prompt error, IP literals need no DNS") {
    common::DnsOptions options;
    options.servers = "127.0.0.1:1";  // nothing listens: refused at once
    options.timeout = std::chrono::milliseconds(300);
    options.tries = 1;
    auto r = common::LookupSrv("_etcd-server._tcp.example.com", options);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().rfind("lookup _etcd-server._tcp.example.com: ", 0) == 0);
    auto ip = common::ResolveHost("127.0.0.42", options);
    REQUIRE(ip.ok());
    CHECK(*ip == std::vector<std::string>{"127.0.0.42"});
    options.servers = "not-an-ip:53";
    auto bad = common::LookupSrv("x.example.com", options);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message().rfind("bad DNS server list \"not-an-ip:53\"", 0) == 0);
  }

  TEST_CASE("c-ares: an SRV answer's records, targets without the trailing dot; a bad message is an error") {
    // _etcd-server._tcp.example.com: 10 5 2380 infra0.example.com., 0 60 12380 10.0.1.11.
    const std::string answer(
        "\x12\x34\x81\x80\x00\x01\x00\x02\x00\x00\x00\x00\x0c_etcd-server\x04_tcp\x07" "example\x03" "com\x00"
        "\x00\x21\x00\x01"
        "\xc0\x0c\x00\x21\x00\x01\x00\x00\x00\x00\x00\x1a\x00\x0a\x00\x05\x09\x4c\x06infra0\x07" "example\x03"
        "com\x00"
        "\xc0\x0c\x00\x21\x00\x01\x00\x00\x00\x00\x00\x11\x00\x00\x00\x3c\x30\x5c\x02" "10\x01" "0\x01" "1\x02"
        "11\x00",
        114);
    const auto* bytes = reinterpret_cast<const unsigned char*>(answer.data());
    auto r = common::ParseSrvAnswer("_etcd-server._tcp.example.com", bytes, static_cast<int>(answer.size()));
    REQUIRE(r.ok());
    REQUIRE(r->size() == 2);
    CHECK((*r)[0].target == "infra0.example.com");
    CHECK((*r)[0].port == 2380);
    CHECK((*r)[0].priority == 10);
    CHECK((*r)[0].weight == 5);
    CHECK((*r)[1].target == "10.0.1.11");
    CHECK((*r)[1].port == 12380);
    auto cut = common::ParseSrvAnswer("_etcd-server._tcp.example.com", bytes, 60);
    REQUIRE_FALSE(cut.ok());
    CHECK(cut.status().message().rfind("lookup _etcd-server._tcp.example.com: ", 0) == 0);
  }
}
