// Private to config/: applies an etcd 3.4 YAML config file to a Config.
// Keys are the flag names; TLS settings sit under client-transport-security
// and peer-transport-security; unknown keys are ignored, as etcd ignores them.
// Pure function; thread-safe.
#pragma once

#include <string>

#include "common/status.h"
#include "server/config/config.h"

namespace config::internal {

// Errors carry etcd's texts where it has one ("error converting YAML to JSON:
// ...", "... cannot unmarshal string into Go struct field ...").
common::Status ApplyYaml(const std::string& text, Config* cfg);

}  // namespace config::internal
