// etcd 3.4's parseKeyRequest rules (see keys_parse.h).
#include "server/api/keys_parse.h"

#include <optional>
#include <string_view>

#include "server/api/form.h"
#include "server/api/go_path.h"
#include "server/store/key_limits.h"

namespace api {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

// Go's strconv.ParseBool.
std::optional<bool> ParseGoBool(std::string_view s) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (s == t) return true;
  }
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

// Go's strconv.ParseUint(s, 10, 64): decimal digits only, no sign, no
// underscores, not empty, at most 2^64-1.
std::optional<uint64_t> ParseGoUint(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

store::V2Error ParseError(int code, std::string cause) {
  return store::V2Error{code, std::move(cause), 0};
}

// Go's time.Now().Add(time.Duration(ttl) * time.Second).UnixNano(). The
// duration wraps around int64, Add cannot saturate for a duration that fits
// int64 seconds, and UnixNano wraps again: all of it is addition modulo 2^64.
int64_t GoExpiration(int64_t now_ns, uint64_t ttl_seconds) {
  return static_cast<int64_t>(static_cast<uint64_t>(now_ns) +
                              ttl_seconds * static_cast<uint64_t>(kNanosPerSecond));
}

// A present parameter must parse; an absent one is the default.
template <typename T, typename ParseFn>
bool ParseOptional(const Form& form, std::string_view name, ParseFn parse, T* out) {
  if (!form.Has(name)) return true;
  auto v = parse(form.Value(name));
  if (!v) return false;
  *out = *v;
  return true;
}

}  // namespace

store::V2Result<KeysRequest> ParseKeysRequest(const http::Request& r, const std::string& key,
                                              int64_t now_ns) {
  // The inner clean keeps a stray ".." from leaving the user key space.
  std::string path = GoPathClean("/1" + GoPathClean("/" + key));
  // Checked first: etcd refuses such a request before reading anything else.
  if (auto too_big = store::CheckKeyLimits(path, r.method == "POST", 0)) return *too_big;
  auto parsed = ParseRequestForm(
      {r.method, r.Header("Content-Type"), r.query, r.body, r.body_too_large});
  if (!parsed.ok()) return ParseError(store::kEcodeInvalidForm, parsed.status().message());
  const Form& form = parsed.value();

  KeysRequest out;
  etcdserver::Request& req = out.req;
  if (!ParseOptional(form, "prevIndex", ParseGoUint, &req.prev_index)) {
    return ParseError(store::kEcodeIndexNaN, R"(invalid value for "prevIndex")");
  }
  if (!ParseOptional(form, "waitIndex", ParseGoUint, &req.since)) {
    return ParseError(store::kEcodeIndexNaN, R"(invalid value for "waitIndex")");
  }
  const std::pair<const char*, bool*> bools[] = {
      {"recursive", &req.recursive}, {"sorted", &req.sorted}, {"wait", &req.wait},
      {"dir", &req.dir},             {"quorum", &req.quorum}, {"stream", &req.stream}};
  for (const auto& [name, field] : bools) {
    if (!ParseOptional(form, name, ParseGoBool, field)) {
      return ParseError(store::kEcodeInvalidField,
                        std::string("invalid value for \"") + name + "\"");
    }
  }
  if (req.wait && r.method != "GET") {
    return ParseError(store::kEcodeInvalidField, R"("wait" can only be used with GET requests)");
  }
  req.prev_value = form.Value("prevValue");
  if (form.Has("prevValue") && req.prev_value.empty()) {
    return ParseError(store::kEcodePrevValueRequired, R"("prevValue" cannot be empty)");
  }
  if (!ParseOptional(form, "noValueOnSuccess", ParseGoBool, &out.no_value_on_success)) {
    return ParseError(store::kEcodeInvalidField, R"(invalid value for "noValueOnSuccess")");
  }
  // An empty ttl means "no TTL", which is how a client clears one.
  std::optional<uint64_t> ttl;
  if (!form.Value("ttl").empty()) {
    ttl = ParseGoUint(form.Value("ttl"));
    if (!ttl) return ParseError(store::kEcodeTTLNaN, R"(invalid value for "ttl")");
  }
  if (form.Has("prevExist")) {
    req.prev_exist = ParseGoBool(form.Value("prevExist"));
    if (!req.prev_exist) {
      return ParseError(store::kEcodeInvalidField, "invalid value for prevExist");
    }
  }
  req.val = form.Value("value");
  if (form.Has("refresh")) {
    req.refresh = ParseGoBool(form.Value("refresh"));
    if (!req.refresh) return ParseError(store::kEcodeInvalidField, "invalid value for refresh");
    if (*req.refresh && !req.val.empty()) {
      return ParseError(store::kEcodeRefreshValue, "A value was provided on a refresh");
    }
    if (*req.refresh && !ttl) {
      return ParseError(store::kEcodeRefreshTTLRequired, "No TTL value set");
    }
  }

  req.method = r.method;
  if (r.method == "HEAD") {
    req.method = "GET";
    req.quorum = false;
    out.head = true;
  }
  req.path = std::move(path);
  if (ttl) req.expiration_ns = GoExpiration(now_ns, *ttl);
  return out;
}

}  // namespace api
