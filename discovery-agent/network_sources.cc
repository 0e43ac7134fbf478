// The token and DNS SRV sources; see sources.h. They wait for
// common/discovery.cc and common/dns_srv.cc: until those land, the agent says
// so instead of guessing.
#include "discovery-agent/sources.h"

namespace agent {

common::Result<Bootstrap> JoinDiscoveryToken(const Settings&, Deadline) {
  return common::Status::Unavailable("--discovery is not supported by this build of kvraft-agent yet");
}

common::Result<Bootstrap> LookupSrvCluster(const Settings&, Deadline) {
  return common::Status::Unavailable("--discovery-srv is not supported by this build of kvraft-agent yet");
}

}  // namespace agent
