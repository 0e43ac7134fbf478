// Discovery answers (common/discovery_answer.cc): what a member or proxy
// makes of the discovery service's replies while joining a token: the size
// key, the token's listing, watch events and etcd errors, and the initial
// cluster they add up to. Input: the HTTP status, X-Etcd-Index, the size
// key's value and this member's key, one line each, then the body.
#include <string>

#include "common/discovery_answer.h"
#include "fuzz/input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  common::HttpResponse r;
  r.status = std::atoi(in.Line().c_str());
  r.headers.emplace_back("X-Etcd-Index", in.Line());
  const std::string size_value = in.Line();
  const std::string self = in.Line();
  r.body = in.Rest();

  auto answer = common::ParseDiscoveryAnswer(r, "GET http://127.0.0.1:2379/v2/keys/_etcd/registry/tok");
  uint64_t cluster_size = 0;
  if (!answer.ok() || answer->error_code != 0 || answer->empty ||
      !common::ParseDiscoveryDecimal(size_value, &cluster_size)) {
    return 0;
  }
  (void)common::DiscoveryBaseName(answer->node.key);
  common::DiscoveryCluster c = common::ReadDiscoveryCluster(*answer, cluster_size, self);
  FUZZ_CHECK(c.nodes.size() <= answer->children.size());
  if (c.full) FUZZ_CHECK(c.nodes.size() == cluster_size);
  (void)common::DiscoveryNodesToCluster(c.nodes, cluster_size);
  return 0;
}
