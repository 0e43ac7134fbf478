// The discovery-token source; see sources.h. It waits for common/discovery.cc:
// until that lands, the agent says so instead of guessing.
#include "discovery-agent/sources.h"

namespace agent {

common::Result<Bootstrap> JoinDiscoveryToken(const Settings&, Deadline) {
  return common::Status::Unavailable("--discovery is not supported by this build of kvraft-agent yet");
}

}  // namespace agent
