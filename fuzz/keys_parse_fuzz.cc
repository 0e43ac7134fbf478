// The keys request parser (server/api/keys_parse.*) and what follows it for
// a /v2/keys request: path decoding and cleaning, parameter parsing, the log
// encoding of the request, applying it to a store and the answer's JSON.
// Input: method, request-target and Content-Type, one line each, then the
// body.
#include <string>

#include "fuzz/input.h"
#include "server/api/go_path.h"
#include "server/api/keys_parse.h"
#include "server/etcdserver/apply.h"
#include "server/store/event.h"
#include "server/store/store.h"

namespace {

constexpr int64_t kNow = 1700000000LL * 1000000000LL;

// A small tree for the request to meet: a key, a dir with a TTL'd child.
void Populate(store::Store& st) {
  (void)st.Set("/1/a", false, "x", {});
  (void)st.Set("/1/d/k", false, "y", {kNow + 5000000000LL, false});
  (void)st.Create("/1/q", true, "", false, {});
  (void)st.Create("/1/q", false, "z", true, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  http::Request r;
  r.method = in.Line();
  const std::string target = in.Line();
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  const std::string content_type = in.Line();
  if (!content_type.empty()) r.headers.emplace_back("Content-Type", content_type);
  r.body = in.Rest();

  auto path = api::DecodeRequestPath(r);
  if (!path.ok() || api::MuxCleanRedirect(r.method, *path, r.query)) return 0;
  // The router hands over what follows /v2/keys; other paths count as keys too.
  std::string key = *path;
  if (key.rfind("/v2/keys", 0) == 0) key = key.substr(8);
  auto parsed = api::ParseKeysRequest(r, key, kNow);
  if (!parsed.ok()) return 0;
  const etcdserver::Request& req = parsed.value().req;

  // The request travels through the log unchanged.
  const std::string encoded = req.Encode();
  auto decoded = etcdserver::Request::Decode(encoded);
  FUZZ_CHECK(decoded && decoded->Encode() == encoded);

  store::Store st;
  Populate(st);
  if (req.method == "GET" && req.wait) {
    auto w = st.Watch(req.path, req.recursive, req.stream, req.since, [] {});
    if (w.ok()) {
      (void)st.Set(req.path, false, "v", {});
      while (auto e = w.value()->Next()) (void)store::EventJson(*e, kNow, "/1");
      w.value()->Remove();
    }
    return 0;
  }
  etcdserver::ApplyResult result = etcdserver::ApplyRequest(st, req);
  if (result.event) (void)store::EventJson(*result.event, kNow, "/1", parsed.value().no_value_on_success);
  st.DeleteExpiredKeys(kNow + 10000000000LL);
  (void)st.Save();
  return 0;
}
