#include "cli/keys_commands.h"

#include <iostream>
#include <iterator>
#include <optional>

#include "cli/keys_response.h"
#include "cli/session.h"

namespace cli {

namespace {

constexpr char kForm[] = "application/x-www-form-urlencoded";

struct SetOptions {
  std::string prev_value;
  uint64_t prev_index = 0;
  std::string prev_exist;  // "", "true" or "false"
  int64_t ttl_seconds = 0;
  bool dir = false;
};

// etcd's Go client setAction.
Request SetRequest(const std::string& key, const std::string& value, const SetOptions& o) {
  QueryParams params, form;
  if (o.dir) {
    params.emplace_back("dir", "true");
  } else {
    if (!o.prev_value.empty()) params.emplace_back("prevValue", o.prev_value);
    form.emplace_back("value", value);
  }
  if (o.prev_index != 0) params.emplace_back("prevIndex", std::to_string(o.prev_index));
  if (!o.prev_exist.empty()) params.emplace_back("prevExist", o.prev_exist);
  if (o.ttl_seconds > 0) form.emplace_back("ttl", std::to_string(o.ttl_seconds));
  return {"PUT", KeysTarget(key, params), EncodeForm(form), kForm, o.prev_exist == "false", false};
}

// Sends a keys request; prints the error and sets *code when it fails.
std::optional<KeysResponse> Send(Client& client, const Request& request, int* code) {
  CtlResult<common::HttpResponse> http = client.Do(request);
  if (!http.ok()) {
    *code = HandleError(kExitServerError, http.error);
    return std::nullopt;
  }
  CtlResult<KeysResponse> r = DecodeKeysResponse(*http.value);
  if (!r.ok()) {
    *code = HandleError(kExitServerError, r.error);
    return std::nullopt;
  }
  return std::move(*r.value);
}

void Print(const KeysResponse& r, const std::string& format) {
  std::string out, err;
  FormatKeysResponse(r, format, &out, &err);
  Out(out);
  Err(err);
}

// etcdctl's argOrStdin: the argument, else all of stdin (which must not be empty).
std::optional<std::string> ArgOrStdin(const std::vector<std::string>& args, size_t i) {
  if (i < args.size()) return args[i];
  std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (all.empty()) return std::nullopt;
  return all;
}

// The shared shape of the key commands: a synced client, a key, a request.
// `value_needed` reads <value> as etcdctl does. Returns the exit code; on
// success calls `done` with the response.
template <typename MakeRequest, typename Done>
int RunKeyCommand(CommandContext& ctx, bool value_needed, MakeRequest make, Done done) {
  int code = kExitSuccess;
  std::unique_ptr<Client> client = NewClient(ctx.global, true, &code);
  if (!client) return code;
  if (ctx.args.empty()) return HandleError(kExitBadArgs, CtlError{"key required"});
  std::string value;
  if (value_needed) {
    std::optional<std::string> v = ArgOrStdin(ctx.args, 1);
    if (!v) return HandleError(kExitBadArgs, CtlError{"value required"});
    value = *v;
  }
  std::optional<KeysResponse> r = Send(*client, make(ctx.args[0], value), &code);
  if (!r) return code;
  return done(*r);
}

SetOptions TtlOnly(const CommandContext& ctx) {
  SetOptions o;
  o.ttl_seconds = ctx.flags.Int("ttl");
  return o;
}

// Directory commands print only in extended and json formats.
int PrintUnlessSimple(const CommandContext& ctx, const KeysResponse& r) {
  if (ctx.global.output != "simple") Print(r, ctx.global.output);
  return kExitSuccess;
}

int SetLike(CommandContext& ctx, bool print_ok) {
  SetOptions o = TtlOnly(ctx);
  o.prev_value = ctx.flags.String("swap-with-value");
  o.prev_index = static_cast<uint64_t>(ctx.flags.Int("swap-with-index"));
  return RunKeyCommand(
      ctx, true, [&](const std::string& k, const std::string& v) { return SetRequest(k, v, o); },
      [&](const KeysResponse& r) {
        if (print_ok && ctx.global.output == "simple") {
          Out("OK\n");
        } else {
          Print(r, ctx.global.output);
        }
        return kExitSuccess;
      });
}

int DirCommand(CommandContext& ctx, const std::string& prev_exist) {
  SetOptions o = TtlOnly(ctx);
  o.dir = true;
  o.prev_exist = prev_exist;
  return RunKeyCommand(
      ctx, false, [&](const std::string& k, const std::string&) { return SetRequest(k, "", o); },
      [&](const KeysResponse& r) { return PrintUnlessSimple(ctx, r); });
}

int DeleteCommand(CommandContext& ctx, QueryParams params) {
  return RunKeyCommand(
      ctx, false,
      [&](const std::string& k, const std::string&) {
        return Request{"DELETE", KeysTarget(k, params), "", kForm, true, false};
      },
      [&](const KeysResponse& r) {
        if (!r.node.dir || ctx.global.output != "simple") Print(r, ctx.global.output);
        return kExitSuccess;
      });
}

std::string Bool(bool b) { return b ? "true" : "false"; }

}  // namespace

int GetAction(CommandContext& ctx) {
  QueryParams params = {{"quorum", Bool(ctx.flags.Bool("quorum"))},
                        {"recursive", "false"},
                        {"sorted", Bool(ctx.flags.Bool("sort"))}};
  return RunKeyCommand(
      ctx, false, [&](const std::string& k, const std::string&) { return Request{"GET", KeysTarget(k, params)}; },
      [&](const KeysResponse& r) {
        if (r.node.dir) {
          Err(r.node.key + ": is a directory\n");
          return kExitBadArgs;
        }
        Print(r, ctx.global.output);
        return kExitSuccess;
      });
}

int SetAction(CommandContext& ctx) { return SetLike(ctx, false); }
int PutAction(CommandContext& ctx) { return SetLike(ctx, true); }

int MkAction(CommandContext& ctx) {
  SetOptions o = TtlOnly(ctx);
  o.prev_exist = "false";
  bool in_order = ctx.flags.Bool("in-order");
  return RunKeyCommand(
      ctx, true,
      [&](const std::string& k, const std::string& v) {
        if (!in_order) return SetRequest(k, v, o);
        QueryParams form = {{"value", v}};
        if (o.ttl_seconds > 0) form.emplace_back("ttl", std::to_string(o.ttl_seconds));
        return Request{"POST", KeysTarget(k, {}), EncodeForm(form), kForm};
      },
      [&](const KeysResponse& r) {
        Print(r, ctx.global.output);
        return kExitSuccess;
      });
}

int MkdirAction(CommandContext& ctx) { return DirCommand(ctx, "false"); }
int SetdirAction(CommandContext& ctx) { return DirCommand(ctx, ""); }
int UpdatedirAction(CommandContext& ctx) { return DirCommand(ctx, "true"); }

int UpdateAction(CommandContext& ctx) {
  SetOptions o = TtlOnly(ctx);
  o.prev_exist = "true";
  return RunKeyCommand(
      ctx, true, [&](const std::string& k, const std::string& v) { return SetRequest(k, v, o); },
      [&](const KeysResponse& r) {
        Print(r, ctx.global.output);
        return kExitSuccess;
      });
}

int RmAction(CommandContext& ctx) {
  QueryParams params;
  if (!ctx.flags.String("with-value").empty()) params.emplace_back("prevValue", ctx.flags.String("with-value"));
  if (ctx.flags.Int("with-index") != 0) params.emplace_back("prevIndex", std::to_string(ctx.flags.Int("with-index")));
  if (ctx.flags.Bool("dir")) params.emplace_back("dir", "true");
  if (ctx.flags.Bool("recursive")) params.emplace_back("recursive", "true");
  return DeleteCommand(ctx, params);
}

int RmdirAction(CommandContext& ctx) { return DeleteCommand(ctx, {{"dir", "true"}}); }

static void PrintLsNode(const Node& n, bool slash_dirs, std::string* out) {
  *out += n.key + (n.dir && slash_dirs ? "/" : "") + "\n";
  for (const Node& child : n.nodes) PrintLsNode(child, slash_dirs, out);
}

int LsAction(CommandContext& ctx) {
  if (ctx.args.empty()) ctx.args.push_back("/");
  QueryParams params = {{"quorum", Bool(ctx.flags.Bool("quorum"))},
                        {"recursive", Bool(ctx.flags.Bool("recursive"))},
                        {"sorted", Bool(ctx.flags.Bool("sort"))}};
  return RunKeyCommand(
      ctx, false, [&](const std::string& k, const std::string&) { return Request{"GET", KeysTarget(k, params)}; },
      [&](const KeysResponse& r) {
        if (ctx.global.output != "simple") {
          Print(r, ctx.global.output);
          return kExitSuccess;
        }
        std::string out = r.node.dir ? "" : r.node.key + "\n";
        for (const Node& child : r.node.nodes) PrintLsNode(child, ctx.flags.Bool("p"), &out);
        Out(out);
        return kExitSuccess;
      });
}

}  // namespace cli
