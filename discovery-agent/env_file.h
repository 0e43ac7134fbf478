// Sidecar mode's hand-over: an env file of KEY=VALUE lines that both
// `env $(cat FILE) kvraft ...` and docker's --env-file read the same way, so
// values may hold no whitespace or quotes (refused rather than mangled).
// FormatEnvFile is pure; WriteFileAtomically does I/O. Thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace agent {

using EnvLines = std::vector<std::pair<std::string, std::string>>;

// "K=V\n" per pair, in order. Fails naming the variable whose value cannot be
// written safely.
common::Result<std::string> FormatEnvFile(const EnvLines& lines);

// Writes `content` to a temporary file beside `path`, syncs it and renames it
// over `path`, so a reader sees the old file or the whole new one.
common::Status WriteFileAtomically(const std::string& path, const std::string& content);

}  // namespace agent
