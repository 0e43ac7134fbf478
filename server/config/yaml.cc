// YAML config file loading. etcd reads YAML 1.1 through ghodss/yaml (YAML ->
// JSON -> Go struct), so values are typed as YAML 1.1 types them and a wrongly
// typed value fails with Go's JSON unmarshalling message.
#include "server/config/yaml.h"

#include <yaml-cpp/yaml.h>

#include <regex>
#include <set>

#include "common/go_strconv.h"
#include "server/config/flags.h"

namespace config::internal {
namespace {

using common::Status;

enum class YamlType { kNull, kBool, kInt, kFloat, kString, kMap, kSeq };

YamlType Classify(const YAML::Node& n) {
  if (n.IsMap()) return YamlType::kMap;
  if (n.IsSequence()) return YamlType::kSeq;
  if (n.IsNull()) return YamlType::kNull;
  if (n.Tag() == "!") return YamlType::kString;  // quoted: always a string
  static const std::regex kBool("y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  static const std::regex kInt("[-+]?(0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+)");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  const std::string& t = n.Scalar();
  if (std::regex_match(t, kBool)) return YamlType::kBool;
  if (std::regex_match(t, kInt)) return YamlType::kInt;
  if (std::regex_match(t, kFloat)) return YamlType::kFloat;
  return YamlType::kString;
}

bool YamlTrue(const std::string& t) {
  return t == "y" || t == "Y" || t == "yes" || t == "Yes" || t == "YES" || t == "true" ||
         t == "True" || t == "TRUE" || t == "on" || t == "On" || t == "ON";
}

std::string JsonTypeName(YamlType t, const std::string& text) {
  switch (t) {
    case YamlType::kBool: return "bool";
    case YamlType::kInt:
    case YamlType::kFloat: return "number " + text;
    case YamlType::kMap: return "object";
    case YamlType::kSeq: return "array";
    default: return "string";
  }
}

std::string GoTypeName(const FlagSpec& f) {
  switch (f.kind) {
    case FlagKind::kBool: return "bool";
    case FlagKind::kUint: return f.name == "snapshot-count" ? "uint64" : "uint";
    case FlagKind::kInt: return "int64";
    case FlagKind::kList: return f.name == "log-outputs" ? "[]string" : "string";
    default: return "string";
  }
}

Status TypeError(YamlType t, const std::string& text, const std::string& field, const FlagSpec& f) {
  return Status::InvalidArgument(
      "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " + JsonTypeName(t, text) +
      " into Go struct field configYAML." + field + " of type " + GoTypeName(f));
}

// The YAML value as the text the flag setter reads, or nullopt for null.
common::Result<std::optional<std::string>> ValueText(const YAML::Node& n, const std::string& field,
                                                     const FlagSpec& f) {
  YamlType t = Classify(n);
  const std::string text = n.IsScalar() ? n.Scalar() : "";
  if (t == YamlType::kNull) return std::optional<std::string>();
  switch (f.kind) {
    case FlagKind::kBool:
      if (t != YamlType::kBool) return TypeError(t, text, field, f);
      return std::optional<std::string>(YamlTrue(text) ? "true" : "false");
    case FlagKind::kUint:
    case FlagKind::kInt: {
      if (t != YamlType::kInt) return TypeError(t, text, field, f);
      if (f.kind == FlagKind::kUint && text[0] == '-') return TypeError(t, text, field, f);
      common::Result<int64_t> v = common::ParseGoInt(text[0] == '+' ? text.substr(1) : text);
      if (!v.ok()) return TypeError(t, text, field, f);
      return std::optional<std::string>(std::to_string(*v));
    }
    default:
      if (t == YamlType::kSeq && f.kind == FlagKind::kList) {
        std::string joined;
        for (const YAML::Node& e : n) joined += (joined.empty() ? "" : ",") + e.Scalar();
        return std::optional<std::string>(joined);
      }
      if (t == YamlType::kMap || t == YamlType::kSeq) return TypeError(t, text, field, f);
      if (t == YamlType::kBool) return std::optional<std::string>(YamlTrue(text) ? "true" : "false");
      if (t == YamlType::kInt) {
        common::Result<int64_t> v = common::ParseGoInt(text[0] == '+' ? text.substr(1) : text);
        if (v.ok()) return std::optional<std::string>(std::to_string(*v));
      }
      return std::optional<std::string>(text);
  }
}

// etcd's message when a YAML value is well typed but not accepted.
Status SetError(const std::string& key, const Status& why) {
  if (key == "proxy") return Status::InvalidArgument("unexpected error setting up proxyFlag: " + why.message());
  if (key == "discovery-fallback") {
    return Status::InvalidArgument("unexpected error setting up discovery-fallback flag: " + why.message());
  }
  // etcd names advertise-client-urls "advertise-peer-urls" in this message.
  std::string shown = key == "advertise-client-urls" ? "advertise-peer-urls" : key;
  return Status::InvalidArgument("unexpected error setting up " + shown + ": " + why.message());
}

Status ApplyValue(const std::string& key, const std::string& field, const YAML::Node& value,
                  Config* cfg) {
  const FlagSpec* f = FindFlag(key);
  common::Result<std::optional<std::string>> text = ValueText(value, field, *f);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return Status::OK();
  if (key == "initial-cluster-state") {  // not checked here: Validate names bad values
    cfg->initial_cluster_state = **text;
    return Status::OK();
  }
  Status s = f->set(*cfg, **text);
  return s.ok() ? s : SetError(key, s);
}

bool IsTopLevelKey(const std::string& key) {
  static const std::set<std::string> kNotInYaml = {
      "config-file", "version", "log-output", "cert-file", "key-file", "client-cert-auth",
      "client-crl-file", "client-cert-allowed-hostname", "trusted-ca-file", "auto-tls",
      "peer-cert-file", "peer-key-file", "peer-client-cert-auth", "peer-trusted-ca-file",
      "peer-cert-allowed-cn", "peer-cert-allowed-hostname", "peer-auto-tls", "peer-crl-file"};
  const FlagSpec* f = FindFlag(key);
  return f != nullptr && f->kind != FlagKind::kIgnored && kNotInYaml.count(key) == 0;
}

// client-transport-security / peer-transport-security: {cert-file, key-file,
// client-cert-auth, trusted-ca-file, auto-tls}.
Status ApplySecurity(const std::string& section, const std::string& flag_prefix,
                     const YAML::Node& node, Config* cfg) {
  if (node.IsNull()) return Status::OK();
  if (!node.IsMap()) {
    return Status::InvalidArgument("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " +
                                   JsonTypeName(Classify(node), node.Scalar()) +
                                   " into Go struct field configYAML." + section + " of type embed.securityConfig");
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (key != "cert-file" && key != "key-file" && key != "client-cert-auth" &&
        key != "trusted-ca-file" && key != "auto-tls") {
      continue;
    }
    Status s = ApplyValue(flag_prefix + key, section + "." + key, kv.second, cfg);
    if (!s.ok()) return s;
  }
  return Status::OK();
}

}  // namespace

Status ApplyYaml(const std::string& text, Config* cfg) {
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return Status::OK();
    if (!root.IsMap()) {
      return Status::InvalidArgument("error unmarshaling JSON: json: cannot unmarshal " +
                                     JsonTypeName(Classify(root), root.Scalar()) +
                                     " into Go value of type embed.configYAML");
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      Status s;
      if (key == "client-transport-security") {
        s = ApplySecurity(key, "", kv.second, cfg);
      } else if (key == "peer-transport-security") {
        s = ApplySecurity(key, "peer-", kv.second, cfg);
      } else if (IsTopLevelKey(key)) {
        s = ApplyValue(key, key, kv.second, cfg);
      }
      if (!s.ok()) return s;
    }
    return Status::OK();
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("error converting YAML to JSON: yaml: line " +
                                   std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

}  // namespace config::internal
