// The store snapshot decoder (server/store/snapshot.cc): a snapshot comes
// from disk at start and from the leader in a kSnap message. A snapshot that
// loads must save back to bytes that load to the same state, and the store
// must then serve it: listings, watches from its history, expiry, writes, the
// membership kept under /0.
#include <string>

#include "fuzz/input.h"
#include "server/etcdserver/membership.h"
#include "server/store/event.h"
#include "server/store/store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  store::Store st;
  if (!st.Recover(bytes).ok()) {
    FUZZ_CHECK(st.Index() == 0);  // a refused snapshot leaves the store as it was
    return 0;
  }
  const std::string saved = st.Save();
  store::Store again;
  FUZZ_CHECK(again.Recover(saved).ok() && again.Save() == saved);

  constexpr int64_t kNow = 1700000000LL * 1000000000LL;
  for (const char* path : {"/", "/1", "/0"}) {
    auto listing = st.Get(path, /*recursive=*/true, /*sorted=*/true);
    if (listing.ok()) (void)store::EventJson(listing.value(), kNow, "/1");
  }
  for (const etcdserver::Member& m : etcdserver::ReadMembers(st)) (void)etcdserver::MemberJson(m);
  // A watch from the start of the history replays its first event.
  auto w = st.Watch("/1", /*recursive=*/true, /*stream=*/false, st.Index() > 0 ? 1 : 0, [] {});
  if (w.ok()) {
    if (auto e = w.value()->Next()) (void)store::EventJson(*e, kNow, "/1");
    w.value()->Remove();
  }
  (void)st.Set("/1/fuzz", false, "v", {});
  st.DeleteExpiredKeys(INT64_MAX);
  (void)st.Get("/", true, false);
  return 0;
}
