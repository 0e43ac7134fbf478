// Event JSON exactly as etcd 3.4 prints it (Go encoding/json of v2store.Event
// and NodeExtern: field order, omitempty rules, time.Time as RFC 3339 nano).
#include <charconv>
#include <cinttypes>
#include <cstdint>
#include <cstdio>

#include "common/json_string.h"
#include "server/store/event.h"

namespace store {
namespace {

constexpr int64_t kNsPerSecond = 1000000000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Appends Unix time `ns` in UTC as Go's RFC3339Nano: fraction trimmed of
// trailing zeros and left out when zero.
void AppendRfc3339Nano(std::string* out, int64_t ns) {
  // Split without multiplying back: secs * 1e9 is below INT64_MIN for the
  // last 0.85 s of the range, which a chosen ttl can reach.
  int64_t secs = ns / kNsPerSecond;
  int64_t frac = ns % kNsPerSecond;
  if (frac < 0) {
    frac += kNsPerSecond;
    --secs;
  }
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04" PRId64 "-%02" PRId64 "-%02" PRId64
                        "T%02" PRId64 ":%02" PRId64 ":%02" PRId64,
                        year, month, day, sod / 3600, sod / 60 % 60, sod % 60);
  out->append(buf, n);
  if (frac != 0) {
    char digits[10];
    std::snprintf(digits, sizeof(digits), "%09" PRId64, frac);
    int len = 9;
    while (digits[len - 1] == '0') --len;
    out->push_back('.');
    out->append(digits, len);
  }
  out->push_back('Z');
}

template <typename Int>
void AppendInt(std::string* out, Int v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, res.ptr - buf);
}

// ceil((expire - now) / 1 s), as etcd's expirationAndTTL computes it. Go's
// Time.Sub saturates at the int64 range, and so does this: an expire time a
// wrapped ttl put near either end of it is that far from now.
int64_t TtlSeconds(int64_t expire_ns, int64_t now_ns) {
  int64_t left;
  if (__builtin_sub_overflow(expire_ns, now_ns, &left)) {
    left = expire_ns < now_ns ? INT64_MIN : INT64_MAX;
  }
  int64_t ttl = left / kNsPerSecond;
  if (left % kNsPerSecond > 0) ++ttl;
  return ttl;
}

struct Renderer {
  std::string* out;
  int64_t now_ns;
  std::string_view strip_prefix;

  void Field(bool* first, const char* name) {
    if (!*first) out->push_back(',');
    *first = false;
    out->push_back('"');
    out->append(name);
    out->append("\":");
  }

  void Node(const NodeExtern& n, bool with_ttl) {
    std::string_view key = n.key;
    if (!strip_prefix.empty() && key.substr(0, strip_prefix.size()) == strip_prefix) {
      key.remove_prefix(strip_prefix.size());
    }
    bool first = true;
    out->push_back('{');
    if (!key.empty()) {
      Field(&first, "key");
      common::AppendJsonString(out, key);
    }
    if (n.value) {
      Field(&first, "value");
      common::AppendJsonString(out, *n.value);
    }
    if (n.dir) {
      Field(&first, "dir");
      out->append("true");
    }
    if (n.expire_ns != 0) {
      Field(&first, "expiration");
      out->push_back('"');
      AppendRfc3339Nano(out, n.expire_ns);
      out->push_back('"');
      const int64_t ttl = with_ttl ? TtlSeconds(n.expire_ns, now_ns) : 0;
      if (ttl != 0) {
        Field(&first, "ttl");
        AppendInt(out, ttl);
      }
    }
    if (!n.nodes.empty()) {
      Field(&first, "nodes");
      out->push_back('[');
      for (size_t i = 0; i < n.nodes.size(); ++i) {
        if (i > 0) out->push_back(',');
        Node(n.nodes[i], with_ttl);
      }
      out->push_back(']');
    }
    if (n.modified_index != 0) {
      Field(&first, "modifiedIndex");
      AppendInt(out, n.modified_index);
    }
    if (n.created_index != 0) {
      Field(&first, "createdIndex");
      AppendInt(out, n.created_index);
    }
    out->push_back('}');
  }
};

// Room for the JSON of a node without children, short of escapes: the
// fixed text (field names, indexes, expiration) plus its key and value.
size_t NodeSizeHint(const NodeExtern& n) {
  return 160 + n.key.size() + (n.value ? n.value->size() : 0);
}

}  // namespace

bool Event::IsCreated() const {
  return action == "create" || (action == "set" && !prev_node);
}

std::string EventJson(const Event& event, int64_t now_ns, std::string_view strip_prefix,
                      bool no_value) {
  std::string out;
  out.reserve(NodeSizeHint(event.node) + (event.prev_node ? NodeSizeHint(*event.prev_node) : 0));
  out.append("{\"action\":");
  common::AppendJsonString(&out, event.action);
  if (!no_value) {
    Renderer r{&out, event.happened_ns ? event.happened_ns : now_ns, strip_prefix};
    out.append(",\"node\":");
    r.Node(event.node, true);
    if (event.prev_node) {
      out.append(",\"prevNode\":");
      // etcd computes an expired node's ttl when it sweeps, at or after its
      // expire time: 0, so absent.
      r.Node(*event.prev_node, event.action != "expire");
    }
  }
  out.append("}\n");
  return out;
}

}  // namespace store
