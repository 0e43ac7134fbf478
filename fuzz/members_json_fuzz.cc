// Member lists as JSON, wherever they come from another process: a peer's
// GET /members answer (server/transport/remote_cluster.cc), a proxy's cluster
// file (server/proxy/cluster_file.cc), /v2/members answers as kvraftctl reads
// them (cli/members.cc), a members API request body (server/api/go_json.cc),
// and the attributes kept in the store under /0 (server/etcdserver/membership.cc).
// Input: the X-Etcd-Cluster-Id header line, then the JSON document.
#include <string>

#include "cli/members.h"
#include "fuzz/input.h"
#include "server/api/go_json.h"
#include "server/etcdserver/membership.h"
#include "server/proxy/cluster_file.h"
#include "server/store/store.h"
#include "server/transport/remote_cluster.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const std::string cluster_id = in.Line();
  const std::string doc = in.Rest();

  auto remote = transport::ParseRemoteCluster(cluster_id, doc);
  if (remote.ok()) FUZZ_CHECK(remote->cluster_id != 0 && !remote->members.empty());
  (void)proxy::ParseClusterFile(doc, "/var/lib/kvraft/proxy/cluster");
  (void)cli::ParseMemberList(doc);
  (void)cli::ParseMember(doc);
  (void)cli::MembersErrorMessage(doc);
  (void)api::GoJsonSyntaxError(doc);

  store::Store st;
  const uint64_t id = 0x8e9e05c52164694d;
  (void)st.Set(etcdserver::RaftAttributesPath(id), false, doc, {});
  (void)st.Set(etcdserver::AttributesPath(id), false, doc, {});
  for (const etcdserver::Member& m : etcdserver::ReadMembers(st)) {
    // What a member publishes about itself reads back the same.
    store::Store back;
    (void)back.Set(etcdserver::RaftAttributesPath(m.id), false, etcdserver::RaftAttributesJson(m.peer_urls), {});
    (void)back.Set(etcdserver::AttributesPath(m.id), false, etcdserver::AttributesJson(m.name, m.client_urls), {});
    auto again = etcdserver::ReadMembers(back);
    FUZZ_CHECK(again.size() == 1 && etcdserver::MemberJson(again[0]) == etcdserver::MemberJson(m));
  }
  return 0;
}
