// Key-path cleaning (server/api/go_path.*): what Go's net/url and ServeMux do
// to a request path before etcd's handlers see it. Input: a method line, then
// a request-target ("/v2/keys/a%2Fb?x=1").
#include "fuzz/input.h"
#include "server/api/go_path.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const std::string_view all = in.all();
  // Go's path.Clean and ServeMux's cleaning are idempotent.
  const std::string clean = api::GoPathClean(all);
  FUZZ_CHECK(api::GoPathClean(clean) == clean);
  const std::string mux = api::GoMuxCleanPath(all);
  FUZZ_CHECK(api::GoMuxCleanPath(mux) == mux);
  FUZZ_CHECK(!mux.empty() && mux[0] == '/');
  for (auto mode : {api::UnescapeMode::kPath, api::UnescapeMode::kQueryComponent}) {
    auto unescaped = api::GoUnescape(all, mode);
    if (unescaped.ok()) FUZZ_CHECK(unescaped->size() <= all.size());
  }

  http::Request r;
  r.method = in.Line();
  const std::string target = in.Rest();
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  auto decoded = api::DecodeRequestPath(r);
  if (!decoded.ok()) return 0;
  auto redirect = api::MuxCleanRedirect(r.method, *decoded, r.query);
  // The redirect leads to a clean path: no redirect loop.
  const std::string cleaned = api::GoMuxCleanPath(*decoded);
  FUZZ_CHECK(!api::MuxCleanRedirect(r.method, cleaned, r.query));
  if (!redirect) return 0;
  FUZZ_CHECK(redirect->status == 301);
  // A client following the redirect asks for the clean path.
  http::Request follow;
  follow.path = redirect->headers.at(0).second;
  follow.path = follow.path.substr(0, follow.path.find('?'));
  auto followed = api::DecodeRequestPath(follow);
  FUZZ_CHECK(redirect->headers.at(0).first == "Location" && followed.ok() && *followed == cleaned);
  return 0;
}
