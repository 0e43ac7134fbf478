// What every command action shares: building the cluster client from the
// global options (with etcdctl's sync and its error handling), printing an
// error the way etcdctl does, and the keys API request shapes of etcd's Go
// client. Used by the main thread only.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/client.h"
#include "cli/command.h"

namespace cli {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// The client for a command, synced from /v2/members unless `sync` is false
// or --no-sync was given. On failure prints what etcdctl prints, sets
// *exit_code and returns null.
std::unique_ptr<Client> NewClient(const GlobalOptions& global, bool sync, int* exit_code);

// Prints "Error:  <text>" (and a cluster error's detail) on stderr; returns code.
int HandleError(int code, const CtlError& error);

// "/v2/keys/<key>?<params>" with the key cleaned as Go's path.Clean (keeping
// a trailing slash) and escaped as Go's URL paths, params sorted by name.
std::string KeysTarget(const std::string& key, QueryParams params);
// "/v2/auth/<action>[/<name>]" as etcd's client joins it (path.Join: the
// name is cleaned into the path) and escapes it.
std::string AuthTarget(const std::string& action, const std::string& name);
// etcd's pathutil.CanonicalURLPath: a leading slash, path.Clean, a trailing
// slash kept.
std::string CanonicalPath(const std::string& in);
// Reads a password from the terminal without echo after printing `prompt`
// (a line from stdin when it is not a terminal), as etcdctl's prompt does.
std::string AskPassword(const std::string& prompt);
// The Authorization header for --username / ETCDCTL_USERNAME ("" without
// one), asking for the password when the flag holds none.
std::string AuthorizationFor(const GlobalOptions& global);

// "a=1&b=2", sorted by name, values escaped (Go's url.Values.Encode).
std::string EncodeForm(QueryParams params);

// The endpoints etcdctl would use: -D's SRV answers, else the flags and
// ETCDCTL_* variables, else the default.
std::vector<std::string> EndpointsFor(const GlobalOptions& global, std::string* error);

// Writes text to stdout unbuffered-enough for watches (flushes).
void Out(const std::string& text);
void Err(const std::string& text);

}  // namespace cli
