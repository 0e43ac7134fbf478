#include "cli/backup_commands.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>

#include "cli/session.h"
#include "common/exec.h"
#include "common/http_client.h"
#include "common/member_id.h"
#include "common/snapshot_file.h"
#include "common/time_format.h"

extern char** environ;

namespace cli {
namespace {

// The snapshot endpoint answers only after a copy of the member's database
// is made, which takes a while on a large one: each read may wait this long.
constexpr std::chrono::seconds kSnapshotReadTimeout{120};

// Replaces kvraftctl with `kvraft <args>`; returns only on failure.
int RunKvraft(const std::vector<std::string>& args) {
  const char* env_bin = std::getenv("KVRAFT_BIN");
  std::string path = env_bin && *env_bin ? env_bin : common::BesideThisProgram("kvraft");
  if (!(env_bin && *env_bin) && ::access(path.c_str(), X_OK) != 0) path = "kvraft";
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  common::Status s = common::ExecProgram(path, args, env);
  Err("Error:  " + s.message() + " (kvraftctl runs kvraft for this; set KVRAFT_BIN to its path)\n");
  return kExitBadArgs;
}

// `--name value` for each of `names` the user gave.
void PassFlags(const CommandContext& ctx, const std::vector<std::string>& names, std::vector<std::string>* out) {
  for (const std::string& name : names) {
    if (!ctx.flags.Given(name)) continue;
    out->push_back("--" + name + "=" + ctx.flags.String(name));
  }
}

int Usage(const std::string& text) {
  Err("Error:  " + text + "\n");
  return kExitBadArgs;
}

}  // namespace

int BackupAction(CommandContext& ctx) {
  std::vector<std::string> args = {"backup"};
  PassFlags(ctx, {"data-dir", "wal-dir", "backup-dir", "backup-wal-dir"}, &args);
  if (ctx.flags.Bool("with-v3")) args.push_back("--with-v3");
  return RunKvraft(args);
}

int SnapshotRestoreAction(CommandContext& ctx) {
  if (ctx.args.size() != 1) return Usage("snapshot restore takes one argument: the snapshot file");
  std::vector<std::string> args = {"snapshot", "restore"};
  PassFlags(ctx, {"data-dir", "name", "initial-cluster", "initial-cluster-token", "initial-advertise-peer-urls"},
            &args);
  args.push_back("--");
  args.push_back(ctx.args[0]);
  return RunKvraft(args);
}

int SnapshotSaveAction(CommandContext& ctx) {
  if (ctx.args.size() != 1) return Usage("snapshot save takes one argument: the file to write");
  const std::string file = ctx.args[0];
  const std::string part = file + ".part";
  std::string error;
  std::vector<std::string> endpoints = EndpointsFor(ctx.global, &error);
  if (!error.empty()) return Usage(error);
  common::HttpOptions options;
  options.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.global.timeout);
  options.timeout = kSnapshotReadTimeout;
  std::string authorization = AuthorizationFor(ctx.global);
  if (!authorization.empty()) options.headers.emplace_back("Authorization", authorization);
  std::vector<std::string> failures;
  for (const std::string& endpoint : endpoints) {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) return Usage("cannot create " + part);
    auto r = common::HttpDoStreaming("GET", endpoint + "/kvraft/snapshot", options, [&out](std::string_view piece) {
      out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
      return static_cast<bool>(out);
    });
    out.close();
    if (!r.ok()) {
      failures.push_back(r.status().message());
      continue;
    }
    if (r->status != 200) {
      std::remove(part.c_str());
      std::string body = r->body;
      while (!body.empty() && body.back() == '\n') body.pop_back();
      Err("Error:  " + endpoint + ": " + std::to_string(r->status) + " " + body + "\n");
      return kExitServerError;
    }
    auto header = common::VerifySnapshotFile(part);
    if (!header.ok()) {
      std::remove(part.c_str());
      Err("Error:  the snapshot from " + endpoint + " is unusable: " + header.status().message() + "\n");
      return kExitServerError;
    }
    if (std::rename(part.c_str(), file.c_str()) != 0) return Usage("cannot rename " + part + " to " + file);
    Out("Snapshot saved at " + file + "\n");
    return kExitSuccess;
  }
  std::remove(part.c_str());
  std::string text = "Error:  cannot take a snapshot from any endpoint";
  for (const auto& f : failures) text += "\nerror #" + std::to_string(&f - &failures[0]) + ": " + f;
  Err(text + "\n");
  return kExitBadConnection;
}

int SnapshotStatusAction(CommandContext& ctx) {
  if (ctx.args.size() != 1) return Usage("snapshot status takes one argument: the snapshot file");
  auto h = common::VerifySnapshotFile(ctx.args[0]);
  if (!h.ok()) return Usage(h.status().message());
  Out("cluster: " + common::FormatId(h->cluster_id) + "\n" + "member: " + common::FormatId(h->member_id) + "\n" +
      "index: " + std::to_string(h->store_index) + "\n" + "raft index: " + std::to_string(h->raft_index) + "\n" +
      "raft term: " + std::to_string(h->raft_term) + "\n" +
      "taken at: " + common::FormatRfc3339Nano(h->taken_unix_ns, true) + "\n" +
      "size: " + std::to_string(h->payload_bytes + common::kSnapshotHeaderBytes) + "\n");
  return kExitSuccess;
}

}  // namespace cli
