// SRV answers (common/dns_srv.cc, common/srv_discovery.cc): a DNS answer
// message as c-ares hands it over, the records we make of it, their order,
// and the initial cluster and client URLs built from them, as
// --discovery-srv and kvraftctl's --discovery-srv do. Input: the DNS answer.
#include <string>
#include <vector>

#include "common/dns_srv.h"
#include "fuzz/input.h"

namespace {

constexpr char kDomain[] = "example.com";

// Lookups that answer the plain peer and client records with the fuzzed
// ones (-ssl names have none) and resolve every target to itself if it is an
// IP literal, else to 10.0.1.10.
common::SrvLookups Lookups(const std::vector<common::SrvRecord>& records) {
  return {[records](const std::string& name) -> common::Result<std::vector<common::SrvRecord>> {
            if (name.find("-ssl") != std::string::npos) return common::Status::NotFound("lookup " + name);
            return records;
          },
          [](const std::string& host) -> common::Result<std::vector<std::string>> {
            if (host.empty()) return common::Status::NotFound("lookup: no such host");
            const bool literal = host.find_first_not_of("0123456789.:abcdef") == std::string::npos;
            return std::vector<std::string>{literal ? host : "10.0.1.10"};
          }};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string name = common::SrvName("etcd-server", false, "", kDomain);
  auto records = common::ParseSrvAnswer(name, data, static_cast<int>(size));
  if (!records.ok()) return 0;
  common::SortSrvRecords(&*records);
  for (size_t i = 1; i < records->size(); ++i) FUZZ_CHECK((*records)[i - 1].priority <= (*records)[i].priority);

  const common::SrvLookups dns = Lookups(*records);
  for (bool member : {true, false}) {
    auto cluster = common::BuildSrvInitialCluster(dns, kDomain, "", "infra0", "http://infra0.example.com:2380",
                                                  member);
    if (cluster.ok()) FUZZ_CHECK(!cluster->empty());
  }
  auto urls = common::BuildSrvClientUrls(dns, kDomain, "");
  if (urls.ok()) FUZZ_CHECK(urls->size() == records->size());
  return 0;
}
